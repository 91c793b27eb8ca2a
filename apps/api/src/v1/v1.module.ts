import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClientsModule } from '../clients/clients.module';
import { HttpModule } from '../http/http.module';
import { V1Controller } from './v1.controller';
import { V1Service } from './v1.service';

@Module({ imports: [AuthModule, ClientsModule, HttpModule], controllers: [V1Controller], providers: [V1Service] })
export class V1Module {}
