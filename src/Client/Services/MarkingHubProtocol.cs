using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace FlowTrace.Client.Services;

/// <summary>
/// The hub's protocol with a mark after each stream item is parsed, named <c>ft:parsed:SEQUENCE:MICROSECONDS</c>
/// (the parse's own duration): splits an event's time in the page into SignalR's transport, the JSON parse and what
/// follows. Used only when <see cref="PageMarks"/> is enabled.
/// </summary>
public sealed class MarkingHubProtocol(IHubProtocol inner, PageMarks marks) : IHubProtocol
{
    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public int Version => inner.Version;

    /// <inheritdoc />
    public TransferFormat TransferFormat => inner.TransferFormat;

    /// <inheritdoc />
    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var started = Stopwatch.GetTimestamp();
        var parsed = inner.TryParseMessage(ref input, binder, out message);
        var sequence = (message as StreamItemMessage)?.Item switch
        {
            TraceEvent traceEvent => traceEvent.Sequence,
            RepeatUpdate { Event: { } traceEvent } => traceEvent.Sequence,
            _ => (int?)null,
        };
        if (sequence is { } number)
            marks.Mark($"ft:parsed:{number}:{Stopwatch.GetElapsedTime(started).Ticks / 10}");
        return parsed;
    }

    /// <inheritdoc />
    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    /// <inheritdoc />
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    /// <inheritdoc />
    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
}
