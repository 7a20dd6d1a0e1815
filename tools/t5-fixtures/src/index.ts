export { catalogTexts } from './catalog-texts.js';
export { ensureEncoderFiles, loadEncoderWithFixtures, type VocabularyTexts } from './fixtures.js';
export { generateT5Fixture, type GenerateT5FixtureOptions, type GeneratedT5Fixture } from './generate-fixture.js';
export { referenceT5Encode } from './reference-encode.js';
