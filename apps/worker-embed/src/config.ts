import { parseEnv, PoolEnv } from '@coldstart/config';
import { z } from 'zod';

export const EmbedEnv = PoolEnv.extend({
  /** The offline default; T5 encoders arrive with the ONNX encoder work. */
  ENCODER: z.enum(['wink-glove-100d']).default('wink-glove-100d'),
});

export const loadConfig = () => parseEnv(EmbedEnv);
