import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  COSELEC_OPINIONS,
  COSELEC_PHASES,
  LEGAL_STATUSES,
  PREFECT_OPINIONS,
  STRUCTURE_STATUSES,
  STRUCTURE_TYPES,
} from '@cnfs/structures-domain';

export class AddressView {
  @ApiProperty() line1: string;
  @ApiProperty({ nullable: true, type: String }) line2: string | null;
  @ApiProperty() postalCode: string;
  @ApiProperty() city: string;
}

export class ContactView {
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
  @ApiProperty({ nullable: true, type: String }) jobTitle: string | null;
}

export class EffectiveQuotaView {
  @ApiProperty({ description: 'posts granted by the latest positive decision (phase 2 preferred)' }) posts: number;
  @ApiProperty({ enum: COSELEC_PHASES }) phase: 1 | 2;
  @ApiProperty({ format: 'uuid' }) decisionId: string;
}

export class StructureView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() siret: string;
  @ApiProperty() siren: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: LEGAL_STATUSES }) legalStatus: string;
  @ApiProperty({ enum: STRUCTURE_TYPES }) type: string;
  @ApiProperty() departmentCode: string;
  @ApiProperty() departmentName: string;
  @ApiProperty({ type: AddressView }) address: AddressView;
  @ApiProperty() qpv: boolean;
  @ApiProperty() zrr: boolean;
  @ApiProperty() requestedPosts: number;
  @ApiProperty({ type: ContactView }) contact: ContactView;
  @ApiProperty({ enum: STRUCTURE_STATUSES }) status: string;
  @ApiProperty({ type: EffectiveQuotaView, nullable: true }) effectiveQuota: EffectiveQuotaView | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) duplicateOfId: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ description: 'incremented on every change' }) version: number;
}

export class StructurePageView {
  @ApiProperty({ type: [StructureView] }) items: StructureView[];
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() total: number;
}

export class CoselecDecisionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) structureId: string;
  @ApiProperty({ description: 'order of recording within the structure, from 1' }) sequence: number;
  @ApiProperty({ enum: COSELEC_OPINIONS }) opinion: string;
  @ApiProperty() grantedPosts: number;
  @ApiProperty() committeeNumber: string;
  @ApiProperty({ format: 'date' }) decidedAt: string;
  @ApiProperty({ enum: COSELEC_PHASES }) phase: 1 | 2;
  @ApiProperty() recordedAt: string;
  @ApiProperty() recordedBy: string;
}

export class StructureSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: STRUCTURE_STATUSES }) status: string;
  @ApiProperty({ type: EffectiveQuotaView, nullable: true }) effectiveQuota: EffectiveQuotaView | null;
  @ApiProperty() version: number;
}

export class RecordedDecisionView {
  @ApiProperty({ type: CoselecDecisionView }) decision: CoselecDecisionView;
  @ApiProperty({ type: StructureSummaryView }) structure: StructureSummaryView;
}

export class CoselecHistoryView {
  @ApiProperty({ type: [CoselecDecisionView], description: 'in order of recording' }) items: CoselecDecisionView[];
  @ApiProperty({ type: EffectiveQuotaView, nullable: true }) effectiveQuota: EffectiveQuotaView | null;
}

export class PrefectOpinionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) structureId: string;
  @ApiProperty() departmentCode: string;
  @ApiProperty({ enum: PREFECT_OPINIONS }) opinion: string;
  @ApiProperty() comment: string;
  @ApiProperty() givenAt: string;
  @ApiProperty() givenBy: string;
}

export class PrefectOpinionListView {
  @ApiProperty({ type: [PrefectOpinionView], description: 'oldest first; the latest is the préfet’s current opinion' }) items: PrefectOpinionView[];
}

export class StatusChangeView {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'uuid' }) structureId: string;
  @ApiProperty({ enum: STRUCTURE_STATUSES, nullable: true }) from: string | null;
  @ApiProperty({ enum: STRUCTURE_STATUSES }) to: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reason: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) decisionId: string | null;
  @ApiProperty() changedAt: string;
  @ApiProperty() changedBy: string;
}

export class StatusChangeListView {
  @ApiProperty({ type: [StatusChangeView] }) items: StatusChangeView[];
}

export class RecordedStatusChangeView {
  @ApiProperty({ type: StatusChangeView }) change: StatusChangeView;
  @ApiProperty({ type: StructureSummaryView }) structure: StructureSummaryView;
}
