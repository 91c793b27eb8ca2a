import { Module } from '@nestjs/common';
import { HistoryQueue } from './history-queue';
import { HistoryStoreRepository } from './history-store.repository';
import { HistoryWriterService } from './history-writer.service';
import { PartitionsRepository } from './partitions.repository';

/** Captures from the history work queue into the day-partitioned table, in batches. */
@Module({
  providers: [HistoryQueue, HistoryStoreRepository, HistoryWriterService, PartitionsRepository],
  exports: [PartitionsRepository],
})
export class StoreModule {}
