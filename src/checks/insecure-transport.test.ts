import { captured } from './captured.ts';
import { check } from './insecure-transport.ts';
import { testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    { why: 'every request over https', run: captured() },
    {
      why: 'plain http on loopback (a local lab or emulator)',
      run: captured({ scheme: 'http', host: '127.0.0.1' }),
    },
  ],
  invalid: [
    {
      why: 'the device flow over plain http to a remote host',
      run: captured({ scheme: 'http' }),
      message: /^sent 3 requests of the flow over plain http to auth\.example\.com$/,
      evidence: 3,
    },
  ],
});
