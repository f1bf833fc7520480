import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsEmail, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { LEGAL_STATUSES, LegalStatus, PROGRAMME_POSTS, STRUCTURE_TYPES, StructureType } from '@cnfs/structures-domain';
import { AgreesWithLegalStatus, IsDepartmentCode, IsSiret, NotBlank, SingleLineText, TrimmedLength } from '../validators';

export class AddressDto {
  @ApiProperty({ example: 'Place Augustin Laurent', maxLength: 200 })
  @IsDefined() @IsString() @NotBlank() @MaxLength(200) @SingleLineText()
  line1: string;

  @ApiPropertyOptional({ example: 'Hôtel de ville', maxLength: 200 })
  @IsOptional() @IsString() @MaxLength(200) @SingleLineText()
  line2?: string;

  @ApiProperty({ example: '59000', pattern: '^[0-9]{5}$' })
  @IsDefined() @IsString() @Matches(/^\d{5}$/, { message: 'postalCode must be 5 digits' })
  postalCode: string;

  @ApiProperty({ example: 'Lille', maxLength: 100 })
  @IsDefined() @IsString() @NotBlank() @MaxLength(100) @SingleLineText()
  city: string;
}

export class ContactDto {
  @ApiProperty({ example: 'Awa Diallo', maxLength: 100 })
  @IsDefined() @IsString() @TrimmedLength(1, 100) @SingleLineText()
  name: string;

  @ApiProperty({ example: 'inclusion.numerique@mairie-lille.fr' })
  @IsDefined() @IsString() @MaxLength(254) @IsEmail()
  email: string;

  @ApiPropertyOptional({ example: '+33 3 20 49 50 00' })
  @IsOptional() @IsString() @Matches(/^\+?[0-9][0-9 .-]{5,19}$/, { message: 'phone must be a phone number (digits, spaces, dots, dashes, optional leading +)' })
  phone?: string;

  @ApiPropertyOptional({ example: "Cheffe de projet inclusion numérique", maxLength: 100 })
  @IsOptional() @IsString() @MaxLength(100) @SingleLineText()
  jobTitle?: string;
}

/** `POST /structures`: a host structure's application. */
export class RegisterStructureDto {
  @ApiProperty({ example: '21590350100017', description: '14 digits with a valid check digit (Luhn; La Poste: digit sum multiple of 5). The SIREN is derived.' })
  @IsDefined() @IsString() @IsSiret()
  siret: string;

  @ApiProperty({ example: 'Commune de Lille', maxLength: 200 })
  @IsDefined() @IsString() @TrimmedLength(1, 200) @SingleLineText()
  name: string;

  @ApiProperty({ enum: LEGAL_STATUSES })
  @IsDefined() @IsIn(LEGAL_STATUSES)
  legalStatus: LegalStatus;

  @ApiProperty({ enum: STRUCTURE_TYPES, description: 'COMMUNE, EPCI, DEPARTEMENT, REGION, COLLECTIVITE, GIP are PUBLIC; ASSOCIATION, ENTREPRISE_ESS, PRIVATE_OTHER are PRIVATE' })
  @IsDefined() @IsIn(STRUCTURE_TYPES) @AgreesWithLegalStatus()
  type: StructureType;

  @ApiProperty({ example: '59', description: 'INSEE département code (2A/2B for Corsica, 971–976 for the DROM)' })
  @IsDefined() @IsString() @IsDepartmentCode()
  departmentCode: string;

  @ApiProperty({ type: AddressDto })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => AddressDto)
  address: AddressDto;

  @ApiProperty({ description: 'located in a priority urban district (quartier prioritaire de la ville)' })
  @IsDefined() @IsBoolean()
  qpv: boolean;

  @ApiProperty({ description: 'located in a rural revitalisation zone (zone de revitalisation rurale)' })
  @IsDefined() @IsBoolean()
  zrr: boolean;

  @ApiProperty({ minimum: 1, maximum: PROGRAMME_POSTS, example: 3 })
  @IsDefined() @IsInt() @Min(1) @Max(PROGRAMME_POSTS)
  requestedPosts: number;

  @ApiProperty({ type: ContactDto })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ContactDto)
  contact: ContactDto;
}
