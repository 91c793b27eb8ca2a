import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { gatewayConfig } from './config/gateway.config';
import { WsServer } from './ws/ws.server';

runMain('gateway', () =>
  bootstrap({
    name: 'gateway',
    module: AppModule.register(gatewayConfig()),
    config: gatewayConfig(),
    microservice: false,
    beforeListen: (app) => app.get(WsServer).attach(app.getHttpServer()),
  }),
);
