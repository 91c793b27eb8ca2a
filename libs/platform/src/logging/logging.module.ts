import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

/** pino JSON logs; one line per event, `service` on every line. */
@Module({})
export class LoggingModule {
  static forRoot(service: string, level: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level,
            base: { service },
            autoLogging: false,
            redact: ['req.headers.authorization', 'req.headers["x-agora-token"]'],
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
