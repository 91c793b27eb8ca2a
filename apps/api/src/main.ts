import './instrument';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { apiConfig } from './config/api.config';

runMain('api', () => {
  const config = apiConfig();
  return bootstrap({
    name: 'api',
    module: AppModule.register(config),
    config,
    microservice: false,
    // Bodies are bounded before anything parses them (413 beyond), and only JSON is parsed.
    beforeListen: (app) => void (app as NestExpressApplication).useBodyParser('json', { limit: config.API_BODY_MAX_BYTES }),
  });
});
