using System.Text.Json;
using System.Text.Json.Serialization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Lab;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Rooms;
using FlowTrace.Contracts.Sni;
using FlowTrace.Contracts.Storage;

namespace FlowTrace.Contracts;

/// <summary>
/// Source-generated JSON metadata for every type that crosses the wire, so that the page (WebAssembly, where building
/// metadata by reflection is slow) and the server read and write events without reflection. <see cref="TraceJson"/>
/// puts it first in every options' resolver chain.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TraceEvent))]
[JsonSerializable(typeof(List<TraceEvent>))]
[JsonSerializable(typeof(TraceRequestMessage))]
[JsonSerializable(typeof(RepeatUpdate))]
[JsonSerializable(typeof(RepeatResult))]
[JsonSerializable(typeof(RepeatStatistics))]
[JsonSerializable(typeof(SniComparisonMessage))]
[JsonSerializable(typeof(SniComparisonUpdate))]
[JsonSerializable(typeof(List<SniComparisonUpdate>))]
[JsonSerializable(typeof(LabSite))]
[JsonSerializable(typeof(List<LabSite>))]
[JsonSerializable(typeof(IReadOnlyList<LabSite>))]
[JsonSerializable(typeof(ServerInfo))]
[JsonSerializable(typeof(StoredTrace))]
[JsonSerializable(typeof(StoredTraceList))]
[JsonSerializable(typeof(TraceStoredResult))]
[JsonSerializable(typeof(TraceCommands))]
[JsonSerializable(typeof(RoomCreated))]
[JsonSerializable(typeof(RoomState))]
[JsonSerializable(typeof(RoomSnapshot))]
[JsonSerializable(typeof(CreateRoomMessage))]
[JsonSerializable(typeof(RoomQuestion))]
[JsonSerializable(typeof(RoomTally))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(int))]
// Hub method arguments and results beside the contracts (NextStep(traceId) returns whether a step was waiting).
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
public sealed partial class TraceJsonContext : JsonSerializerContext;
