import { Module } from '@nestjs/common';
import { UserAttributesController } from './user-attributes.controller';
import { UserAttributesRepository } from './user-attributes.repository';
import { UserAttributesService } from './user-attributes.service';

@Module({
  controllers: [UserAttributesController],
  providers: [UserAttributesService, UserAttributesRepository],
})
export class UserAttributesModule {}
