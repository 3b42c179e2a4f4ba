'use strict';
// The addon built by build.cjs; requiring this throws when it was not built or cannot load on this machine.
module.exports = require('./build/Release/chronoface_kernels.node');
