using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using FlowTrace.Lab.Certificates;

namespace FlowTrace.Lab.Hostile;

/// <summary>
/// An HTTPS port that speaks HTTP/2 (ALPN h2 only) and breaks the protocol on purpose, the breakage chosen by the SNI
/// name, once the request's HEADERS arrived: each case is one that a client must meet with a clean failure in bounded
/// time. Every connection ends by itself.
/// </summary>
internal sealed class HostileHttp2Server : IAsyncDisposable
{
    /// <summary>The site names (their first DNS label): a title, what the site demonstrates, and the step where a trace
    /// of it fails (null when the trace completes).</summary>
    public static readonly IReadOnlyDictionary<string, (string Title, string Demonstrates, string? FailsAt)> Behaviours = new Dictionary<string, (string, string, string?)>
    {
        ["h2-frame-too-large"] = ("a frame too large", Fails("sends a 20,000-byte frame, beyond the 16,384 bytes the client's SETTINGS allow"), "ServerProcessing"),
        ["h2-bad-index"] = ("an HPACK index beyond the table", Fails("names HPACK index 62 while its dynamic table is empty"), "HttpResponse"),
        ["h2-endless-headers"] = ("a header block that never ends", Fails("starts a header block and never ends it, CONTINUATION after CONTINUATION"), "HttpResponse"),
        ["h2-goaway"] = ("GOAWAY in the middle of a response", Fails("sends GOAWAY in the middle of the response, saying it will not finish the stream"), "HttpResponse"),
        ["h2-window-stall"] = ("a window never opened", Fails("ignores the window the client opened and, after 65,535 bytes (the protocol's initial window), waits for a WINDOW_UPDATE"), "HttpResponse"),
        ["h2-refused-once"] = ("a stream refused, then answered",
            "A server shedding load refuses the request's stream before processing it (RST_STREAM REFUSED_STREAM); the request is safe to send again, so the trace sends it once more on a new connection, as browsers do, and this time it is answered.", null),
    };

    // How long after a refusal the next connection for h2-refused-once is answered: long enough for a trace in step mode,
    // whose second try waits for the learner's clicks.
    private static readonly TimeSpan RefusalMemory = TimeSpan.FromMinutes(10);

    private const byte Data = 0, Headers = 1, RstStream = 3, Settings = 4, GoAway = 7, Continuation = 9;
    private const byte EndStream = 0x1, EndHeaders = 0x4;

    private readonly Web.LoopbackTcpServer _server;
    private readonly LabCertificates _certificates;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long? _refusedAt;

    public HostileHttp2Server(int port, LabCertificates certificates, TimeProvider time)
    {
        _certificates = certificates;
        _time = time;
        _server = new Web.LoopbackTcpServer(port, TimeSpan.FromMinutes(1), ServeAsync);
    }

    public int Port => _server.Port;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ServeAsync(NetworkStream network, TcpClient client, CancellationToken token)
    {
        await using var tls = new SslStream(network, leaveInnerStreamOpen: false);
        string? name = null;
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ServerCertificateSelectionCallback = (_, sni) => _certificates.Select(name = sni),
        }, token).ConfigureAwait(false);
        var stream = await ReadRequestAsync(tls, token).ConfigureAwait(false);
        if (stream is null)
            return;
        // The server's own SETTINGS open its side of the connection, as the protocol asks; then the breakage.
        await tls.WriteAsync(Frame(Settings, 0, 0, []), token).ConfigureAwait(false);
        switch (name?.Split('.')[0])
        {
            case "h2-frame-too-large":
                await tls.WriteAsync(Frame(Headers, EndHeaders, stream.Value, new byte[20_000]), token).ConfigureAwait(false);
                break;
            case "h2-bad-index":
                await tls.WriteAsync(Frame(Headers, EndHeaders | EndStream, stream.Value, [0xBE]), token).ConfigureAwait(false);
                break;
            case "h2-endless-headers":
                await tls.WriteAsync(Frame(Headers, 0, stream.Value, [0x88]), token).ConfigureAwait(false);
                for (var i = 0; i < 1_000; i++)
                    await tls.WriteAsync(Frame(Continuation, 0, stream.Value, new byte[16_000]), token).ConfigureAwait(false);
                break;
            case "h2-goaway":
                // ENHANCE_YOUR_CALM (11), the last stream it will finish being 0: not this one.
                await tls.WriteAsync(Frame(Headers, EndHeaders, stream.Value, [0x88]), token).ConfigureAwait(false);
                await tls.WriteAsync(Frame(Data, 0, stream.Value, "the beginning of a body that will not end"u8.ToArray()), token).ConfigureAwait(false);
                await tls.WriteAsync(Frame(GoAway, 0, 0, [0, 0, 0, 0, 0, 0, 0, 11]), token).ConfigureAwait(false);
                break;
            case "h2-refused-once" when RefuseThisOne():
                await tls.WriteAsync(Frame(RstStream, 0, stream.Value, [0, 0, 0, 7]), token).ConfigureAwait(false);
                break;
            case "h2-window-stall":
                await tls.WriteAsync(Frame(Headers, EndHeaders, stream.Value, [0x88]), token).ConfigureAwait(false);
                for (var sent = 0; sent < 65_535; sent += 16_384)
                    await tls.WriteAsync(Frame(Data, 0, stream.Value, new byte[Math.Min(16_384, 65_535 - sent)]), token).ConfigureAwait(false);
                break;
            default:
                await tls.WriteAsync(Frame(Headers, EndHeaders | EndStream, stream.Value, [0x88]), token).ConfigureAwait(false);
                break;
        }

        // Keep the connection open: the client must give up by itself, within its own limits.
        await Task.Delay(TimeSpan.FromSeconds(40), token).ConfigureAwait(false);
    }

    private static string Fails(string does) => $"A server that {does}: the trace fails cleanly, in bounded time.";

    /// <summary>True for a connection that should be refused: refusals and answers alternate, so that a trace's second
    /// try is answered however long it took (step mode); a refusal never followed up is forgotten after a while. Two
    /// learners tracing this site at the very same moment can see each other's turn (a lab of one server, by design).</summary>
    private bool RefuseThisOne()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_refusedAt is { } at && _time.GetElapsedTime(at, now) < RefusalMemory)
            {
                _refusedAt = null;
                return false;
            }

            _refusedAt = now;
            return true;
        }
    }

    /// <summary>Reads the client's preface and frames until a HEADERS frame; its stream, or null if the client left.</summary>
    private static async Task<int?> ReadRequestAsync(Stream tls, CancellationToken token)
    {
        var preface = new byte[24];
        await tls.ReadExactlyAsync(preface, token).ConfigureAwait(false);
        var header = new byte[9];
        for (var frames = 0; frames < 100; frames++)
        {
            await tls.ReadExactlyAsync(header, token).ConfigureAwait(false);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            if (length > 16_384)
                return null;
            await tls.ReadExactlyAsync(new byte[length], token).ConfigureAwait(false);
            if (header[3] == Headers)
                return BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
        }

        return null;
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame, 9);
        return frame;
    }
}
