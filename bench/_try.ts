import { cycleWork } from './cycleWork.js';
const r = await cycleWork({ accounts: 1000, inFlight: 500, days: 90, transfers: 1000, repeats: 7 });
console.log(JSON.stringify(r.cycleMs), JSON.stringify(r.partsMs));
