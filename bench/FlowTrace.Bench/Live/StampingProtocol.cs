using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace FlowTrace.Bench.Live;

/// <summary>
/// The JSON hub protocol, stamping each stream item when it has been serialised (server) or parsed (client), which
/// splits an event's latency into the server's part, the transport and the client's dispatch.
/// </summary>
public sealed class StampingProtocol(IHubProtocol inner, ConditionalWeakTable<object, StrongBox<long>> stamps) : IHubProtocol
{
    public string Name => inner.Name;
    public int Version => inner.Version;
    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        var parsed = inner.TryParseMessage(ref input, binder, out message);
        if (parsed)
            Stamp(message!);
        return parsed;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        inner.WriteMessage(message, output);
        Stamp(message);
    }

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        var bytes = inner.GetMessageBytes(message);
        Stamp(message);
        return bytes;
    }

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    /// <summary>A JSON protocol with the payload options the app's server and client use.</summary>
    public static JsonHubProtocol Json()
    {
        var options = new JsonHubProtocolOptions();
        // As a host: the batching hub streams arrays of events, which the contracts do not list.
        FlowTrace.Contracts.Events.TraceJson.ConfigureForHost(options.PayloadSerializerOptions);
        return new JsonHubProtocol(Microsoft.Extensions.Options.Options.Create(options));
    }

    private void Stamp(HubMessage message)
    {
        if (message is StreamItemMessage { Item: { } item })
            stamps.AddOrUpdate(item, new StrongBox<long>(Stopwatch.GetTimestamp()));
    }
}
