using System.Globalization;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Contracts.Ladder;

/// <summary>
/// Draws a trace's events as a ladder: the client, each resolver and each server address as lanes, every message
/// between them as an arrow at the time the client's clock saw it. The client stamps only its own end of a message (what
/// it sent, what it received); the far end is placed half a round trip away, from the round-trip time measured to that
/// peer (the kernel's estimate for a server, the fastest DNS answer for a resolver), and each arrow says which end was
/// measured.
/// </summary>
public static class LadderBuilder
{
    /// <summary>The client's lane id.</summary>
    public const string Client = "client";

    /// <summary>The most body chunks drawn one by one; after them a stream is drawn by its last byte, which says how many
    /// chunks there were.</summary>
    public const int MostChunkArrows = 16;

    /// <summary>The client's own processing shorter than this is not drawn as a block.</summary>
    public static readonly TimeSpan ShortestBlock = TimeSpan.FromMilliseconds(0.05);

    /// <summary>Builds the diagram from the events so far (a live trace grows it; a finished one is complete).</summary>
    public static LadderDiagram Build(IReadOnlyList<TraceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = new Drawing(OneWayTimes(events));
        foreach (var traceEvent in events)
            state.Add(traceEvent);
        return state.Finish(events.Count > 0 ? events[^1].Offset : TimeSpan.Zero);
    }

    /// <summary>Half the round trip to each peer: the kernel's smoothed RTT (or the measured handshake) for a server, the
    /// fastest answer for a resolver.</summary>
    private static Dictionary<string, TimeSpan> OneWayTimes(IReadOnlyList<TraceEvent> events)
    {
        var times = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            switch (e.Details)
            {
                case TcpConnectedDetails { Reused: false } connected:
                    times[connected.Remote] = (connected.KernelRtt is { } rtt && rtt > TimeSpan.Zero ? rtt : connected.HandshakeTime) / 2;
                    break;
                case DnsQueryDetails { ResponseCode: not null } query:
                    var half = query.Duration / 2;
                    times[query.Resolver] = times.TryGetValue(query.Resolver, out var known) && known < half ? known : half;
                    break;
            }
        }

        return times;
    }

    private sealed class Drawing(Dictionary<string, TimeSpan> oneWay)
    {
        private readonly List<LadderLane> _lanes = [new(Client, LadderLaneKind.Client, "Client (this computer)")];
        private readonly List<LadderArrow> _arrows = [];
        private readonly List<LadderBlock> _blocks = [];
        private readonly Dictionary<int, string> _serverOfHop = [];
        // TLS 1.3 encrypts the server's handshake messages: its records read application_data, and the engine names the
        // messages once it has decrypted them, in order, right after.
        private readonly Queue<int> _unnamedServerRecords = new();
        private readonly List<string> _namedInPlainText = [];
        private readonly List<string> _decrypted = [];
        private readonly Dictionary<string, int> _roundTrips = new(StringComparer.Ordinal);
        // Per peer, when the first message still unanswered left; per kind of peer, when the last round trip closed.
        private readonly Dictionary<string, TimeSpan> _awaitingAnswer = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TimeSpan> _lastClosed = new(StringComparer.Ordinal);
        private int _chunkArrows;
        private int _lastChunk;
        private TimeSpan? _firstByte;
        private TimeSpan? _lastReceived;
        private int _lastReceivedHop;

        public void Add(TraceEvent e)
        {
            switch (e.Details)
            {
                case DnsQueryDetails query:
                    AddQuery(e, query);
                    break;
                case TcpAttemptDetails attempt:
                    AddAttempt(e, attempt);
                    break;
                case TcpConnectedDetails connected:
                    Lane(connected.Remote, LadderLaneKind.Server);
                    _serverOfHop[e.Hop] = connected.Remote;
                    if (!connected.Reused)
                    {
                        NameEncryptedRecords();
                        _namedInPlainText.Clear();
                    }

                    break;
                case TlsRecordDetails record when Server(e.Hop) is { } server:
                    AddRecord(e, record, server);
                    break;
                // A message its record already named in plain text (ServerHello) is not one of the encrypted ones.
                case TlsHandshakeMessageDetails { Direction: WireDirection.ServerToClient } message when _namedInPlainText.Remove(message.MessageType):
                    break;
                case TlsHandshakeMessageDetails { Direction: WireDirection.ServerToClient } message when _unnamedServerRecords.Count > 0:
                    _decrypted.Add(message.MessageType);
                    break;
                case TlsAlertDetails alert when Server(e.Hop) is { } server:
                    Message(e, alert.Direction, server, $"alert {alert.Description}", $"{alert.Level} alert {alert.Description} ({alert.Code.ToString(CultureInfo.InvariantCulture)})");
                    break;
                case HttpRequestDetails request when Server(e.Hop) is { } server:
                    // Writing began when the step started; the arrow leaves then.
                    var writeStart = e.Offset - (e.Duration ?? TimeSpan.Zero);
                    Message(e with { Offset = writeStart }, WireDirection.ClientToServer, server, request.RequestLine, $"{request.Headers.Count} headers, {request.Bytes:N0} bytes");
                    break;
                case ServerProcessingDetails processing when Server(e.Hop) is { } server && e.Kind == TraceEventKind.Completed:
                    _firstByte = e.Offset;
                    _chunkArrows = 0;
                    _lastChunk = 0;
                    Message(e, WireDirection.ServerToClient, server, "first byte of the response",
                        $"{Ms(processing.TimeToFirstByte)} after the request left");
                    break;
                case BodyChunkDetails chunk when Server(e.Hop) is { } server:
                    _lastChunk = chunk.Number;
                    // A chunk that came with the first byte arrived in that arrow.
                    if (_chunkArrows < MostChunkArrows && (_firstByte is not { } firstByte || e.Offset - firstByte >= ShortestBlock))
                    {
                        _chunkArrows++;
                        Message(e, WireDirection.ServerToClient, server, $"chunk {chunk.Number.ToString(CultureInfo.InvariantCulture)}", $"{chunk.Size:N0} bytes");
                    }

                    break;
                // The last byte arrived the download time after the first (the step ends later, when the tracer is done
                // with it); a response read at once arrived with its first byte, whose arrow says it.
                case HttpResponseDetails response when Server(e.Hop) is { } server && e.Kind == TraceEventKind.Completed
                    && _firstByte is { } firstByteAt && response.DownloadTime >= ShortestBlock:
                    Message(e with { Offset = firstByteAt + response.DownloadTime }, WireDirection.ServerToClient, server, "last byte of the response",
                        $"{response.StatusCode.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}: {response.BodyBytes:N0} bytes of body" +
                        (_lastChunk > _chunkArrows ? $" in {_lastChunk:N0} chunks ({_chunkArrows} drawn)" : ""));
                    break;
                case ConnectionDetails { ClosedBy: not ConnectionCloser.NotClosed } connection when Server(e.Hop) is { } server:
                    var byClient = connection.ClosedBy == ConnectionCloser.Client;
                    Message(e, byClient ? WireDirection.ClientToServer : WireDirection.ServerToClient, server, "FIN",
                        byClient ? "the client closes the connection" : "the server closes the connection");
                    break;
            }
        }

        public LadderDiagram Finish(TimeSpan lastOffset)
        {
            NameEncryptedRecords();
            var end = _arrows.Select(a => a.Arrived > a.Sent ? a.Arrived : a.Sent).Append(lastOffset).Max();
            return new LadderDiagram(_lanes, _arrows, _blocks, end);
        }

        private string? Server(int hop) => _serverOfHop.TryGetValue(hop, out var server) ? server : null;

        private void AddQuery(TraceEvent e, DnsQueryDetails query)
        {
            Lane(query.Resolver, LadderLaneKind.Resolver, query.RecursionDesired ? "DNS resolver" : "DNS server");
            var sent = e.Offset - query.Duration;
            var question = $"{query.QueryType}? {query.Name}";
            Add(e, Client, query.Resolver, sent, sent + Half(query.Resolver, query.Duration), LadderMeasuredEnd.Sent, question, $"over {query.Transport}");
            if (query.ResponseCode is null)
                return;
            var answer = query.Referral is { } referral && query.Answers.Count == 0
                ? $"referral: {referral.Zone} at {string.Join(", ", referral.NameServers.Take(2))}{(referral.NameServers.Count > 2 ? ", …" : "")}"
                : query.Answers.Count == 0
                ? $"{query.QueryType}: {query.ResponseCode}, no record"
                : $"{query.QueryType}: {string.Join(", ", query.Answers.Take(3).Select(a => a.Value))}{(query.Answers.Count > 3 ? ", …" : "")}";
            Add(e, query.Resolver, Client, e.Offset - Half(query.Resolver, query.Duration), e.Offset, LadderMeasuredEnd.Arrived, answer,
                $"{query.ResponseCode}, {query.Answers.Count.ToString(CultureInfo.InvariantCulture)} record(s), {query.ResponseBytes.ToString(CultureInfo.InvariantCulture)} bytes{(query.Truncated ? ", truncated" : "")}");
        }

        private void AddAttempt(TraceEvent e, TcpAttemptDetails attempt)
        {
            Lane(attempt.Remote, LadderLaneKind.Server);
            switch (attempt.Outcome)
            {
                case TcpAttemptOutcome.Started:
                    Message(e, WireDirection.ClientToServer, attempt.Remote, "SYN", $"attempt {attempt.Attempt.ToString(CultureInfo.InvariantCulture)}: open a connection");
                    break;
                case TcpAttemptOutcome.Connected:
                    Message(e, WireDirection.ServerToClient, attempt.Remote, "SYN-ACK", "the server accepts");
                    Message(e, WireDirection.ClientToServer, attempt.Remote, "ACK", "the three-way handshake is complete");
                    break;
                case TcpAttemptOutcome.Refused:
                    Message(e, WireDirection.ServerToClient, attempt.Remote, "RST", "nothing listens on this port: refused");
                    break;
            }
        }

        private void AddRecord(TraceEvent e, TlsRecordDetails record, string server)
        {
            var encrypted = record.ContentType == "application_data" && e.Step == TraceStep.Tls;
            var label = record.HandshakeTypes.Count > 0 ? string.Join(", ", record.HandshakeTypes.Select(MessageName))
                : encrypted && record.Direction == WireDirection.ClientToServer ? "Finished (encrypted)"
                : encrypted ? "encrypted handshake"
                : record.ContentType;
            Message(e, record.Direction, server, label, $"{record.ContentType} record, {record.Length:N0} bytes{(encrypted ? ", encrypted" : "")}");
            if (encrypted && record.Direction == WireDirection.ServerToClient)
                _unnamedServerRecords.Enqueue(_arrows.Count - 1);
            else if (record.Direction == WireDirection.ServerToClient)
                _namedInPlainText.AddRange(record.HandshakeTypes);
        }

        /// <summary>Names the server's encrypted records after the messages the engine decrypted from them, once its flight
        /// is over (the client answers, or the trace ends). One message per record, as most servers send them, pairs them
        /// in order; any other count (several messages in a record, or one split over two) is told as such rather than
        /// guessed: the first record lists them all.</summary>
        private void NameEncryptedRecords()
        {
            var records = _unnamedServerRecords.ToList();
            if (records.Count > 0 && _decrypted.Count == records.Count)
            {
                for (var i = 0; i < records.Count; i++)
                    _arrows[records[i]] = _arrows[records[i]] with { Label = $"{MessageName(_decrypted[i])} (encrypted)" };
            }
            else if (records.Count > 0 && _decrypted.Count > 0)
            {
                _arrows[records[0]] = _arrows[records[0]] with { Label = $"{string.Join(", ", _decrypted.Select(MessageName))} (encrypted, {records.Count} records)" };
                for (var i = 1; i < records.Count; i++)
                    _arrows[records[i]] = _arrows[records[i]] with { Label = "encrypted handshake, continued" };
            }

            _unnamedServerRecords.Clear();
            _decrypted.Clear();
        }

        private void Message(TraceEvent e, WireDirection direction, string peer, string label, string detail)
        {
            var half = Half(peer, TimeSpan.Zero);
            if (direction == WireDirection.ClientToServer)
                Add(e, Client, peer, e.Offset, e.Offset + half, LadderMeasuredEnd.Sent, label, detail);
            else
                Add(e, peer, Client, e.Offset - half, e.Offset, LadderMeasuredEnd.Arrived, label, detail);
        }

        private void Add(TraceEvent e, string from, string to, TimeSpan sent, TimeSpan arrived, LadderMeasuredEnd measured, string label, string detail)
        {
            int? roundTrip = null;
            if (from == Client)
            {
                NameEncryptedRecords();
                // The client's own work: from what it last received to what it sends now.
                if (_lastReceived is { } received && e.Hop == _lastReceivedHop && sent - received >= ShortestBlock)
                    _blocks.Add(new LadderBlock(received, sent, e.Hop));
                _lastReceived = null;
                _awaitingAnswer.TryAdd(to, sent);
            }
            else
            {
                _lastReceived = arrived;
                _lastReceivedHop = e.Hop;
                // An answer to something the client sent this peer closes a round trip, unless what it answers left before the
                // last round trip of its kind closed: queries sent side by side (AAAA and A) wait one round trip together.
                var key = _lanes.First(l => l.Id == from).Kind.ToString();
                if (_awaitingAnswer.Remove(from, out var askedAt) && (!_lastClosed.TryGetValue(key, out var closedAt) || askedAt >= closedAt))
                {
                    roundTrip = _roundTrips[key] = _roundTrips.GetValueOrDefault(key) + 1;
                    _lastClosed[key] = arrived;
                }
            }

            _arrows.Add(new LadderArrow(from, to, sent < TimeSpan.Zero ? TimeSpan.Zero : sent, arrived, measured, label, detail, e.Step, e.Hop, e.Sequence, roundTrip));
        }

        private TimeSpan Half(string peer, TimeSpan fallbackRoundTrip) =>
            oneWay.TryGetValue(peer, out var half) ? half : fallbackRoundTrip / 2;

        private void Lane(string id, LadderLaneKind kind, string? name = null)
        {
            if (_lanes.Any(l => l.Id == id))
                return;
            _lanes.Add(new LadderLane(id, kind, $"{name ?? (kind == LadderLaneKind.Resolver ? "DNS resolver" : "Server")} {id}"));
        }
    }

    /// <summary>A handshake message by the name the RFCs give it: client_hello → ClientHello.</summary>
    public static string MessageName(string messageType)
    {
        ArgumentNullException.ThrowIfNull(messageType);
        return string.Concat(messageType.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
    }

    private static string Ms(TimeSpan time) => $"{time.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture)} ms";
}
