import fs from 'node:fs';
import path from 'node:path';
const E = await import('/work/main/dist/node/ml/estimators/index.js');
const dir = '/work/shared/datasets/utkface';
const files = fs.readdirSync(dir).filter(f=>/^\d+_[01]_/.test(f)).sort();
// 300 spread
const pick = files.filter((_,i)=>i%3===0).slice(0,300);
const size = Number(process.argv[2]||112);
const sharp = (await import('sharp')).default;
const crops=[]; const labels=[];
for (const f of pick){ const {data,info}=await sharp(path.join(dir,f)).resize(size,size).removeAlpha().raw().toBuffer({resolveWithObject:true}); crops.push({data,width:info.width,height:info.height,channels:info.channels}); const m=f.split('_'); labels.push({age:+m[0],gender:m[1]==='0'?'male':'female'});}
await E.estimateAgeGender(crops.slice(0,2)); await E.describeFaces(crops.slice(0,2));
let t=Date.now(); const est=await E.estimateAgeGender(crops); const tAge=(Date.now()-t)/crops.length;
t=Date.now(); const desc=await E.describeFaces(crops); const tDesc=(Date.now()-t)/crops.length;
let mae=0,acc=0; est.forEach((e,i)=>{mae+=Math.abs(e.age-labels[i].age); acc+= e.gender===labels[i].gender?1:0});
let close=0,pairs=0; for(let i=0;i<desc.length;i++)for(let j=i+1;j<desc.length;j++){pairs++; if(E.descriptorDistance(desc[i],desc[j])<0.6)close++;}
console.log(JSON.stringify({n:crops.length,size,mae:mae/crops.length,genderAcc:acc/crops.length,msAge:tAge,msDesc:tDesc,falseSame:close/pairs}));
