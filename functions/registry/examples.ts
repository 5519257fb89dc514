/**
 * Well-known ids. The WTS simulator seeds its data with them and the registry's examples use them,
 * so every example in the docs, the CLI's `events` and the tests works against `npm start` as written.
 */
export const EXAMPLE_IDS = {
  contactId: '0b6f6c1e-2f3a-4d5b-9c7d-1a2b3c4d5e01',
  contactPhone: '+5511999990001',
  secondContactId: '0b6f6c1e-2f3a-4d5b-9c7d-1a2b3c4d5e02',
  secondContactPhone: '+5511999990002',
  sessionId: '1c7a7d2f-3b4c-4e6d-8a9b-2b3c4d5e6f01',
  messageId: '2d8b8e3a-4c5d-4f7e-9b0c-3c4d5e6f7a01',
  channelId: '3e9c9f4b-5d6e-4a8f-8c1d-4d5e6f7a8b01',
  channelNumber: '+5511988880000',
  templateId: '4fad0a5c-6e7f-4b9a-9d2e-5e6f7a8b9c01',
  panelId: '5abe1b6d-7f8a-4cab-8e3f-6f7a8b9c0d01',
  stepId: '5abe1b6d-7f8a-4cab-8e3f-6f7a8b9c0d11',
  secondStepId: '5abe1b6d-7f8a-4cab-8e3f-6f7a8b9c0d12',
  cardId: '6bcf2c7e-8a9b-4dbc-9f4a-7a8b9c0d1e01',
  noteId: '7cd03d8f-9bac-4ecd-8a5b-8b9c0d1e2f01',
  sequenceId: '8de14e9a-acbd-4fde-9b6c-9c0d1e2f3a01',
  chatbotKey: '9ef25fab-bdce-4aef-8c7d-0d1e2f3a4b01',
  userId: 'aa036abc-cedf-4b0a-9d8e-1e2f3a4b5c01',
  departmentId: 'bb147bcd-dfea-4c1b-8e9f-2f3a4b5c6d01',
  tagId: 'cc258cde-eafb-4d2c-9fa0-3a4b5c6d7e01',
  fileId: 'dd369def-fbac-4e3d-8ab1-4b5c6d7e8f01',
  /** A webhook subscription the simulator seeds paused (it never delivers), for the webhook.* examples. */
  webhookSubscriptionId: 'ee47a0f1-acbd-4f4e-9bc2-5c6d7e8f9a01',
} as const;
