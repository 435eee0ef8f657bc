// The executable entry: `bin/devicebound.js` loads the built copy of this file.
import { main } from './main.ts';

process.exitCode = await main(process.argv);
