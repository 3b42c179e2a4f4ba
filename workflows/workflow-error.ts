/** Why a workflow refused a request: a code each front end turns into its own kind of error, and the setting of the
 *  request at fault (when one is), which each front end names in its own spelling. */
export class WorkflowError<Code extends string, Setting extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly setting: Setting | null = null,
  ) {
    super(message);
  }
}
