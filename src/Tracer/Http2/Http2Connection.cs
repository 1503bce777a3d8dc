using System.Buffers.Binary;
using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Http;
using FlowTrace.Tracer.Tcp;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Http2;

/// <summary>
/// One HTTP/2 connection as the tracer speaks it (RFC 9113): the preface and SETTINGS once, then a stream per request;
/// frames written and read by the tracer, each an event stamped when it left or when its last byte arrived; HPACK
/// tables kept for the connection's life; the peer's SETTINGS acknowledged and its PINGs answered.
/// </summary>
internal sealed class Http2Connection(IArrivalSource source, Func<TimeSpan?>? kernelRtt = null)
{
    /// <summary>The connection preface every HTTP/2 client starts with (§3.4).</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>The largest frame this side accepts (its SETTINGS_MAX_FRAME_SIZE, the protocol's default).</summary>
    public const int MaxFrameSize = 16_384;

    /// <summary>The most frames one connection reads before the trace gives up on it.</summary>
    public const int MaxFrames = 20_000;

    /// <summary>The largest header block read (HEADERS and CONTINUATIONs joined).</summary>
    public const int MaxHeaderBlock = 64 * 1024;

    /// <summary>The largest header list the client takes once decoded: announced in its SETTINGS and held to by its decoder.</summary>
    public const int MaxHeaderList = 64 * 1024;

    /// <summary>The receive window per stream, announced in SETTINGS, and for the connection, opened with a WINDOW_UPDATE
    /// after the preface: Chrome's 6 MiB and 15 MiB, so that flow control does not slow a download browsers would not
    /// slow (the protocol's own 65,535 bytes would cap it at that much per round trip).</summary>
    public const int StreamWindow = 6 * 1024 * 1024;

    /// <inheritdoc cref="StreamWindow"/>
    public const int ConnectionWindow = 15 * 1024 * 1024;

    /// <summary>The protocol's initial window, before SETTINGS and WINDOW_UPDATE change it.</summary>
    public const int InitialWindow = 65_535;

    /// <summary>The most frames about the connection (SETTINGS, PING, ...) listed as events; more are answered, not listed.</summary>
    public const int MaxListedConnectionFrames = 200;

    private int _connectionUnacknowledged;

    // When the client's PING left, to time its ACK.
    private long? _pingSentAt;
    private int _connectionFrames;

    private readonly ArrivalReader _reader = new(source);
    private int _framesRead;

    // Streams the client reset (RST_STREAM CANCEL at the body cap), which may still bring frames sent before the reset
    // reached the server, and streams that ended (END_STREAM received), which may bring none (RFC 9113 §5.1).
    private readonly HashSet<int> _cancelled = [];
    private readonly HashSet<int> _ended = [];

    // Header fields listed in events, in plain bytes: a hostile server can make a few wire bytes decode to 64 KiB, block
    // after block, so beyond this the blocks are still decoded but their fields no longer listed.
    private long _listedFieldBytes;

    /// <summary>The most header-field bytes (as plain text) one connection lists in its events.</summary>
    public const int MaxListedFieldBytes = 256 * 1024;

    public HpackEncoder Encoder { get; } = new();

    public HpackDecoder Decoder { get; } = new(maxHeaderListSize: MaxHeaderList);

    /// <summary>The next client stream: odd numbers, from 1.</summary>
    public int NextStreamId { get; set; } = 1;

    /// <summary>True once the preface and the client's SETTINGS went out.</summary>
    public bool Started { get; set; }

    /// <summary>Notes that the server ended <paramref name="stream"/> (END_STREAM): no frame of it may follow.</summary>
    public void Ended(int stream) => _ended.Add(stream);

    /// <summary>Notes that the client reset <paramref name="stream"/>: frames the server sent before it knew are still read.</summary>
    public void Cancelled(int stream) => _cancelled.Add(stream);

    /// <summary>The GOAWAY the server sent, if any: the last stream it will process, and why.</summary>
    public (int LastStream, string Error)? GoneAway { get; private set; }


    /// <summary>The client's SETTINGS: no server push, its stream window, the default frame size, a header list limit.</summary>
    public static Http2Frame ClientSettings() => new(Http2Frame.Settings, 0, 0,
        SettingsPayload([(0x2, 0), (0x4, StreamWindow), (0x5, MaxFrameSize), (0x6, MaxHeaderList)]));

    /// <summary>The WINDOW_UPDATE that opens the connection's window from the protocol's 65,535 bytes to <see cref="ConnectionWindow"/>.</summary>
    public static Http2Frame OpenConnectionWindow() => WindowUpdate(0, ConnectionWindow - InitialWindow);

    /// <summary>A WINDOW_UPDATE of <paramref name="increment"/> bytes for a stream, or the connection (0).</summary>
    public static Http2Frame WindowUpdate(int stream, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return new Http2Frame(Http2Frame.WindowUpdate, 0, stream, payload);
    }

    /// <summary>DATA payload bytes received on the connection, every stream's.</summary>
    public long ConnectionDataReceived { get; private set; }

    /// <summary>What is left of the connection's receive window: what the client opened, less what it read and has not
    /// yet given back.</summary>
    public int ConnectionWindowOpen => ConnectionWindow - _connectionUnacknowledged;

    /// <summary>Counts a DATA frame (of any stream: flow control is the connection's) against the connection's window,
    /// and gives the window back once half of it was read.</summary>
    public async Task CreditConnectionAsync(int length, TraceRun run, TraceStep step, CancellationToken cancellationToken)
    {
        _connectionUnacknowledged += length;
        ConnectionDataReceived += length;
        if (_connectionUnacknowledged < ConnectionWindow / 2)
            return;
        var increment = _connectionUnacknowledged;
        _connectionUnacknowledged = 0;
        await SendAsync([WindowUpdate(0, increment)], run, step, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes frames in one go and reports each, at the time the last of them left.</summary>
    public async Task<long> SendAsync(IReadOnlyList<Http2Frame> frames, TraceRun run, TraceStep step, CancellationToken cancellationToken, bool withPreface = false)
    {
        var sentAt = await source.WriteAsync(Bytes(frames, withPreface), cancellationToken).ConfigureAwait(false);
        if (withPreface)
            run.Detail(step, "→ connection preface (PRI * HTTP/2.0): this connection speaks HTTP/2", at: sentAt);
        foreach (var frame in frames)
        {
            if (frame.Type == Http2Frame.Ping && (frame.Flags & Http2Frame.Ack) == 0)
                _pingSentAt = sentAt;
            Report(run, step, frame, WireDirection.ClientToServer, sentAt, Summary(frame), null);
        }

        return sentAt;
    }

    /// <summary>Says goodbye as an HTTP/2 client does, in a GOAWAY frame (as part of the connection step), naming the
    /// error that made the trace give up, if one did (<paramref name="failureCode"/>, the step failure's code); false
    /// when the frame could not be written (the server may have gone already).</summary>
    public async Task<bool> SayGoodbyeAsync(string? failureCode, TraceRun run, CancellationToken cancellationToken)
    {
        var error = failureCode switch
        {
            null => 0x0u,
            // A list over the limit stopped decoding midway: the tables can no longer be trusted either.
            "http2-compression-error" or "http2-header-list-too-large" => 0x9u,
            // The server refused or gave up the stream: no error of its protocol, so none is named back.
            "http2-stream-refused" or "http2-goaway" or "http2-http11-required" => 0x0u,
            "http2-frame-too-large" or "http2-header-block-too-large" => 0x6u,
            "http2-stream-closed" => 0x5u,
            { } code when code.StartsWith("http2-", StringComparison.Ordinal) => 0x1u,
            _ => 0x8u,
        };
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), error);
        try
        {
            await SendAsync([new Http2Frame(Http2Frame.GoAway, 0, 0, payload)], run, TraceStep.Connection, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>The bytes of <paramref name="frames"/> as written, after the preface when it goes first.</summary>
    public static byte[] Bytes(IReadOnlyList<Http2Frame> frames, bool withPreface)
    {
        var bytes = new List<byte>();
        if (withPreface)
            bytes.AddRange(Preface);
        foreach (var frame in frames)
            bytes.AddRange(frame.ToBytes());
        return [.. bytes];
    }

    /// <summary>The next frame and when its last byte arrived; null when the server closed the connection.</summary>
    public async Task<(Http2Frame Frame, long At)?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_framesRead == 0 && _reader.Count >= 7 && _reader.Buffered[..7].SequenceEqual("HTTP/1."u8))
                throw new ResponseProtocolException("http2-not-spoken", "The server answered in HTTP/1.x: it does not speak HTTP/2 on this connection (with prior knowledge, the server must).");
            if (_reader.Count >= Http2Frame.HeaderLength)
            {
                var header = _reader.Buffered[..Http2Frame.HeaderLength];
                if (_framesRead == 0 && header[3] != Http2Frame.Settings)
                    throw new ResponseProtocolException("http2-protocol", $"The server's first frame is {Http2Names.FrameType(header[3])}, not the SETTINGS that must open its side of the connection.");
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                if (length > MaxFrameSize)
                    throw new ResponseProtocolException("http2-frame-too-large",
                        $"The server sent a {Http2Names.FrameType(header[3])} frame of {length:N0} bytes, beyond the {MaxFrameSize:N0} this client allows (SETTINGS_MAX_FRAME_SIZE).");
                if (_reader.Count >= Http2Frame.HeaderLength + length)
                {
                    if (++_framesRead > MaxFrames)
                        throw new ResponseProtocolException("http2-too-many-frames", $"The server sent more than {MaxFrames:N0} frames on one connection.");
                    var frame = new Http2Frame(header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header[5..]) & 0x7FFFFFFF,
                        _reader.Buffered.Slice(Http2Frame.HeaderLength, length).ToArray());
                    _reader.Consume(Http2Frame.HeaderLength + length);
                    return (frame, _reader.LastArrival);
                }
            }

            if (!await _reader.FillAsync(cancellationToken).ConfigureAwait(false))
                return null;
        }
    }

    /// <summary>A frame about the connection (stream 0), or one this client does not act on: reported, and answered
    /// where the protocol asks (SETTINGS acknowledged, PING echoed).</summary>
    public async Task HandleConnectionFrameAsync(Http2Frame frame, long at, TraceRun run, TraceStep step, CancellationToken cancellationToken)
    {
        var summary = Summary(frame);
        // A flood of them is answered, not listed: past the limit the trace says so once.
        var listed = ++_connectionFrames <= MaxListedConnectionFrames;
        if (_connectionFrames == MaxListedConnectionFrames + 1)
            run.Detail(step, $"More than {MaxListedConnectionFrames} frames outside the request's stream: answered where the protocol asks, no longer listed", at: at);
        void Report(string said) { if (listed) Http2Connection.Report(run, step, frame, WireDirection.ServerToClient, at, said, null); }
        if (frame.Type == Http2Frame.PushPromise)
            throw new ResponseProtocolException("http2-protocol", "The server sent PUSH_PROMISE, though the client's SETTINGS refused server push (ENABLE_PUSH=0).");
        // DATA, HEADERS and RST_STREAM belong to a stream, never to the connection (RFC 9113 §6.1, §6.2, §6.4).
        if (frame.StreamId == 0 && frame.Type is Http2Frame.Data or Http2Frame.Headers or Http2Frame.RstStream)
            throw new ResponseProtocolException("http2-protocol", $"The server sent {frame.TypeName} on stream 0, which is the connection's, not a stream.");
        // RFC 9113 §5.1: a stream the client never opened (even, or beyond the last it opened) is idle: only PRIORITY may
        // name it, and frame types this client does not know are ignored wherever they come (§4.1).
        if (frame.StreamId != 0 && frame.Type is not Http2Frame.Priority and <= Http2Frame.Continuation && (frame.StreamId % 2 == 0 || frame.StreamId >= NextStreamId))
            throw new ResponseProtocolException("http2-protocol", $"The server sent {frame.TypeName} on stream {frame.StreamId}, which the client never opened.");
        // A stream that ended may bring no HEADERS or DATA; the tables and the window still take what came, so that the
        // failure is the stream's and not a second one of HPACK or flow control.
        var closed = frame.StreamId != 0 && _ended.Contains(frame.StreamId) && !_cancelled.Contains(frame.StreamId);
        switch (frame.Type)
        {
            case Http2Frame.Data:
                Report(summary);
                await CreditConnectionAsync(frame.Payload.Length, run, step, cancellationToken).ConfigureAwait(false);
                if (closed)
                    throw ClosedStream(frame);
                return;
            case Http2Frame.Settings when frame.StreamId != 0 || frame.Payload.Length % 6 != 0 || ((frame.Flags & Http2Frame.Ack) != 0 && frame.Payload.Length > 0):
                throw new ResponseProtocolException("http2-protocol", $"A malformed SETTINGS frame (stream {frame.StreamId}, {frame.Payload.Length} bytes).");
            case Http2Frame.Ping when frame.StreamId != 0 || frame.Payload.Length != 8:
                throw new ResponseProtocolException("http2-protocol", $"A malformed PING frame (stream {frame.StreamId}, {frame.Payload.Length} bytes, not 8).");
            case Http2Frame.Settings when (frame.Flags & Http2Frame.Ack) == 0:
                Report(summary);
                foreach (var (id, value) in Settings(frame.Payload))
                {
                    // The server's decoder table size bounds what the client's encoder may use: the next block says so.
                    if (id == 0x1)
                        Encoder.SetMaxTableSize((int)Math.Min(value, 4096));
                }

                await SendAsync([new Http2Frame(Http2Frame.Settings, Http2Frame.Ack, 0, [])], run, step, cancellationToken).ConfigureAwait(false);
                return;
            case Http2Frame.Ping when (frame.Flags & Http2Frame.Ack) != 0 && _pingSentAt is { } sent:
                _pingSentAt = null;
                // Shown beside the kernel's smoothed estimate for the same connection, read now: two measures of one path.
                Report($"{summary}: round trip {Format.Duration(run.Between(sent, at))}, HTTP/2's own measure" +
                       (kernelRtt?.Invoke() is { } kernel ? $" (the kernel's estimate for this connection: {Format.Duration(kernel)})" : ""));
                return;
            case Http2Frame.Ping when (frame.Flags & Http2Frame.Ack) == 0:
                Report(summary);
                await SendAsync([new Http2Frame(Http2Frame.Ping, Http2Frame.Ack, 0, frame.Payload)], run, step, cancellationToken).ConfigureAwait(false);
                return;
            case Http2Frame.Headers:
            {
                // A stream the client cancelled may still bring a header block, its trailers: decoded all the same, for
                // HPACK's tables belong to the connection, and a block skipped would leave them out of step with the
                // server's for every later stream.
                await ReadHeaderBlockAsync(frame, at, run, step, listed,
                    (fields, _) => $"a header block of stream {frame.StreamId}, which this trace had {(closed ? "seen end" : "cancelled")}: {fields.Count} fields, decoded to keep HPACK's tables in step with the server's",
                    cancellationToken).ConfigureAwait(false);
                if (closed)
                    throw ClosedStream(frame);
                return;
            }

            case Http2Frame.Continuation:
                throw new ResponseProtocolException("http2-protocol", $"A CONTINUATION frame on stream {frame.StreamId} that follows no HEADERS.");
            case Http2Frame.GoAway when frame.Payload.Length >= 8:
                GoneAway = (BinaryPrimitives.ReadInt32BigEndian(frame.Payload) & 0x7FFFFFFF, Http2Names.ErrorCode(BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.AsSpan(4))));
                Report(summary);
                return;
            default:
                Report(frame.Type > Http2Frame.Continuation || frame.Type == Http2Frame.Priority ? $"{summary} (ignored, as the protocol says)" : summary);
                return;
        }
    }

    /// <summary>Reads a header block (HEADERS and the CONTINUATIONs that complete it), decodes it (HPACK's tables move
    /// whatever becomes of it) and, when <paramref name="report"/>, reports each frame: the first with what
    /// <paramref name="summary"/> says of the fields and, while the connection's budget lasts, the fields themselves.</summary>
    public async Task<(IReadOnlyList<HpackField> Fields, Http2HeaderBlock Block, IReadOnlyList<(Http2Frame Frame, long At)> Frames)> ReadHeaderBlockAsync(
        Http2Frame headers, long at, TraceRun run, TraceStep step, bool report, Func<IReadOnlyList<HpackField>, Http2HeaderBlock, string> summary, CancellationToken cancellationToken)
    {
        var (bytes, frames) = await ReadBlockAsync(headers, at, cancellationToken).ConfigureAwait(false);
        var fields = Decoder.Decode(bytes);
        var block = Describe(bytes, fields);
        if (!report)
            return (fields, block, frames);
        var listed = _listedFieldBytes + block.PlainBytes <= MaxListedFieldBytes;
        if (listed)
            _listedFieldBytes += block.PlainBytes;
        var said = summary(fields, block) + (listed ? "" : $" (fields not listed: they would take this connection's listed header text past {Format.Bytes(MaxListedFieldBytes)})");
        for (var i = 0; i < frames.Count; i++)
            Report(run, step, frames[i].Frame, WireDirection.ServerToClient, frames[i].At, i == 0 ? said : "the header block goes on",
                i == 0 ? listed ? block : block with { Fields = [], FieldsListed = false } : null);
        return (fields, block, frames);
    }

    private static ResponseProtocolException ClosedStream(Http2Frame frame) =>
        new("http2-stream-closed", $"The server sent {frame.TypeName} on stream {frame.StreamId} after ending it (END_STREAM): a closed stream carries no more (STREAM_CLOSED).");

    /// <summary>A HEADERS frame's block and the CONTINUATIONs that complete it, bounded in size.</summary>
    private async Task<(byte[] Block, List<(Http2Frame Frame, long At)> Frames)> ReadBlockAsync(Http2Frame headers, long at, CancellationToken cancellationToken)
    {
        var block = new List<byte>(HeaderFragment(headers));
        var frames = new List<(Http2Frame Frame, long At)> { (headers, at) };
        var current = headers;
        while ((current.Flags & Http2Frame.EndHeaders) == 0)
        {
            if (await ReadFrameAsync(cancellationToken).ConfigureAwait(false) is not { } next)
                throw new ResponseProtocolException("http-truncated", "The server closed the connection in the middle of a header block.");
            if (next.Frame.Type != Http2Frame.Continuation || next.Frame.StreamId != headers.StreamId)
                throw new ResponseProtocolException("http2-protocol", $"A header block was interrupted by a {next.Frame.TypeName} frame on stream {next.Frame.StreamId} (only CONTINUATION may follow).");
            block.AddRange(next.Frame.Payload);
            if (block.Count > MaxHeaderBlock)
                throw new ResponseProtocolException("http2-header-block-too-large", $"The header block of stream {headers.StreamId} is larger than {Format.Bytes(MaxHeaderBlock)}.");
            frames.Add(next);
            current = next.Frame;
        }

        return ([.. block], frames);
    }

    private static byte[] HeaderFragment(Http2Frame headers)
    {
        var payload = headers.Payload.AsSpan();
        var padding = 0;
        if ((headers.Flags & Http2Frame.Padded) != 0)
        {
            if (payload.Length < 1)
                throw new ResponseProtocolException("http2-protocol", "A padded HEADERS frame with no padding length.");
            padding = payload[0];
            payload = payload[1..];
        }

        if ((headers.Flags & Http2Frame.PriorityFlag) != 0)
            payload = payload.Length >= 5 ? payload[5..] : throw new ResponseProtocolException("http2-protocol", "A HEADERS frame too short for its priority fields.");
        if (padding > payload.Length)
            throw new ResponseProtocolException("http2-protocol", "A HEADERS frame whose padding is longer than the frame.");
        return payload[..^padding].ToArray();
    }

    /// <summary>A decoded header block as the trace shows it: its size on the wire against plain, and how HPACK carried
    /// each field.</summary>
    private static Http2HeaderBlock Describe(byte[] block, IReadOnlyList<HpackField> decoded) =>
        new(block.Length, decoded.Sum(f => f.Name.Length + f.Value.Length + 4), [.. decoded.Select(f => new Http2HeaderField(f.Name, f.Value, Carried(f), f.WireBytes))], decoded.Count);

    private static string Carried(HpackField field) => field.Representation switch
    {
        HpackRepresentation.Indexed => $"{(field.FromStaticTable ? "static" : "dynamic")} table {field.Index}",
        _ => $"literal{(field.Index is { } i ? $", name from {(field.FromStaticTable ? "static" : "dynamic")} table {i}" : "")}{(field.Huffman ? ", Huffman-coded" : "")}" + field.Representation switch
        {
            HpackRepresentation.LiteralIncrementalIndexing => ", added to the table",
            HpackRepresentation.LiteralNeverIndexed => ", never indexed",
            _ => "",
        },
    };

    /// <summary>Reports one frame as an event of <paramref name="step"/>.</summary>
    public static void Report(TraceRun run, TraceStep step, Http2Frame frame, WireDirection direction, long at, string summary, Http2HeaderBlock? block)
    {
        var arrow = direction == WireDirection.ClientToServer ? "→" : "←";
        var flags = frame.FlagNames.Length > 0 ? $" [{frame.FlagNames}]" : "";
        run.Detail(step, $"{arrow} {frame.TypeName} stream {frame.StreamId}{flags}, {frame.Payload.Length} bytes: {summary}",
            new Http2FrameDetails(direction, frame.StreamId, frame.TypeName, frame.Flags, frame.FlagNames, frame.Payload.Length, summary, block), at);
    }

    /// <summary>What a frame says, in words.</summary>
    public static string Summary(Http2Frame frame)
    {
        var p = frame.Payload;
        return frame.Type switch
        {
            Http2Frame.Settings when (frame.Flags & Http2Frame.Ack) != 0 => "settings acknowledged",
            Http2Frame.Settings => p.Length == 0 ? "no settings (all defaults)" : string.Join(", ", Settings(p).Select(s => $"{Http2Names.Setting(s.Id)}={s.Value.ToString(CultureInfo.InvariantCulture)}")),
            Http2Frame.WindowUpdate when p.Length == 4 => $"window +{(BinaryPrimitives.ReadUInt32BigEndian(p) & 0x7FFFFFFF):N0} bytes ({(frame.StreamId == 0 ? "the connection's" : "this stream's")})",
            Http2Frame.Ping => $"{((frame.Flags & Http2Frame.Ack) != 0 ? "answer to ping" : "ping")} {Convert.ToHexStringLower(p)}",
            Http2Frame.RstStream when p.Length == 4 => $"stream reset: {Http2Names.ErrorCode(BinaryPrimitives.ReadUInt32BigEndian(p))}",
            Http2Frame.GoAway when p.Length >= 8 =>
                $"going away after stream {BinaryPrimitives.ReadInt32BigEndian(p) & 0x7FFFFFFF}: {Http2Names.ErrorCode(BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(4)))}" +
                (p.Length > 8 ? $" ({System.Text.Encoding.ASCII.GetString(p, 8, Math.Min(p.Length - 8, 200)).Trim()})" : ""),
            Http2Frame.Data => $"{p.Length:N0} bytes of body",
            Http2Frame.Priority => "a priority hint",
            Http2Frame.Headers => "a header block (HPACK)",
            Http2Frame.Continuation => "the header block goes on",
            Http2Frame.PushPromise => "a pushed stream (push was refused in SETTINGS)",
            _ => "",
        };
    }

    private static byte[] SettingsPayload(IEnumerable<(ushort Id, uint Value)> settings)
    {
        var list = settings.ToList();
        var payload = new byte[list.Count * 6];
        for (var i = 0; i < list.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(i * 6), list[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan((i * 6) + 2), list[i].Value);
        }

        return payload;
    }

    private static IEnumerable<(ushort Id, uint Value)> Settings(byte[] payload)
    {
        for (var i = 0; i + 6 <= payload.Length; i += 6)
            yield return (BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i)), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2)));
    }
}
