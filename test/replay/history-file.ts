// Histories as JSON fixtures. Temporal's own history JSON helpers (historyToJSON/historyFromJSON in
// @temporalio/common) fail in this install ("type must be a Type": two copies of protobufjs), so the
// fixtures are protobufjs' plain-object form of temporal.api.history.v1.History: camelCase fields,
// enum names as strings, 64-bit ints as strings, bytes as base64. Written and read with the proto
// package's generated toObject/fromObject, so the round trip is exact.
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const HistoryMessage = temporal.api.history.v1.History;

/** A fetched history as fixture text (pretty JSON, one trailing newline). */
export function historyToFixture(history: History): string {
  const message = HistoryMessage.fromObject(history as Record<string, unknown>);
  const plain = HistoryMessage.toObject(message, { longs: String, enums: String, bytes: String });
  return `${JSON.stringify(plain, null, 1)}\n`;
}

/** Fixture text back to a History that Worker.runReplayHistory accepts. */
export function historyFromFixture(text: string): temporal.api.history.v1.History {
  return HistoryMessage.fromObject(JSON.parse(text) as Record<string, unknown>);
}
