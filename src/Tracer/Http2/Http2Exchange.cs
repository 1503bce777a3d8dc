using System.Globalization;
using System.Security.Cryptography;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Http;
using FlowTrace.Tracer.Tls;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Http2;

/// <summary>
/// The HTTP request, server processing and HTTP response steps over HTTP/2: the request is a stream's HEADERS (the
/// connection's preface, SETTINGS and a PING go out with the first); server processing lasts until the first frame of
/// that stream; the response until its END_STREAM. Every frame is an event; DATA is acknowledged with WINDOW_UPDATEs as
/// it is read, so a large body flows.
/// </summary>
internal sealed class Http2Exchange(TimeProvider time)
{
    /// <summary>The most informational (1xx) responses read before the final one.</summary>
    public const int MaxInterimResponses = 10;

    /// <summary>Headers HTTP/2 forbids (connection-specific, RFC 9113 §8.2.2); the request's own are left out.</summary>
    private static readonly HashSet<string> ConnectionSpecific = new(StringComparer.OrdinalIgnoreCase)
        { "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade" };

    public async Task<HttpExchangeResult> RunAsync(Http2Connection h2, TraceTarget target, TraceRequest request, TraceRun run, CancellationToken cancellationToken)
    {
        var streamId = h2.NextStreamId;
        h2.NextStreamId += 2;
        var (_, asHttp1, _) = HttpRequestWriter.Build(request.Method, target.PathAndQuery, target.HostHeader, request.Headers);
        // The Host the request asks for (the caller's, when given) is HTTP/2's :authority; TE may say only "trailers".
        var authority = asHttp1.First(h => h.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value;
        List<(string Name, string Value)> fields =
        [
            (":method", request.Method), (":scheme", target.Uri.Scheme), (":authority", authority), (":path", target.PathAndQuery),
            .. asHttp1.Where(h => !ConnectionSpecific.Contains(h.Name) && !(h.Name.Equals("TE", StringComparison.OrdinalIgnoreCase) && h.Value.Trim() != "trailers"))
                .Select(h => (h.Name.ToLowerInvariant(), h.Value)),
        ];
        var block = h2.Encoder.Encode(fields);
        var frames = new List<Http2Frame>();
        var first = !h2.Started;
        if (first)
        {
            var ping = new byte[8];
            RandomNumberGenerator.Fill(ping);
            frames.Add(Http2Connection.ClientSettings());
            frames.Add(Http2Connection.OpenConnectionWindow());
            frames.Add(new Http2Frame(Http2Frame.Ping, 0, 0, ping));
        }

        // A block larger than a frame goes on in CONTINUATION frames.
        for (var offset = 0; offset < block.Length || offset == 0; offset += Http2Connection.MaxFrameSize)
        {
            var part = block.AsSpan(offset, Math.Min(Http2Connection.MaxFrameSize, block.Length - offset)).ToArray();
            var last = offset + Http2Connection.MaxFrameSize >= block.Length;
            frames.Add(offset == 0
                ? new Http2Frame(Http2Frame.Headers, (byte)(Http2Frame.EndStream | (last ? Http2Frame.EndHeaders : 0)), streamId, part)
                : new Http2Frame(Http2Frame.Continuation, last ? Http2Frame.EndHeaders : (byte)0, streamId, part));
        }

        var requestLine = $"{request.Method} {target.PathAndQuery} HTTP/2";
        var sentBytes = Http2Connection.Bytes(frames, first);
        run.Started(TraceStep.HttpRequest, $"Sending {request.Method} {target.PathAndQuery} on HTTP/2 stream {streamId}");
        var writeStart = run.Now();
        long written;
        try
        {
            written = await h2.SendAsync(frames, run, TraceStep.HttpRequest, cancellationToken, withPreface: first).ConfigureAwait(false);
            h2.Started = true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            run.Failed(TraceStep.HttpRequest, "http-write", $"Could not send the request: {e.Message}");
            return new HttpExchangeResult(null, false, "the request could not be sent", true);
        }

        var plain = fields.Sum(f => f.Name.Length + f.Value.Length + 4);
        run.Completed(TraceStep.HttpRequest,
            $"{request.Method} {target.PathAndQuery} on stream {streamId}: {fields.Count} header fields in {block.Length} bytes of HPACK (plainly {plain} bytes)",
            new HttpRequestDetails(requestLine, [.. fields.Select(f => new HttpHeader(f.Name, f.Value))], block.Length + Http2Frame.HeaderLength, run.Between(writeStart, written),
                sentBytes, Http2OpeningAnnotator.Annotate(sentBytes, first)), written);
        await run.PauseAfterAsync(TraceStep.HttpRequest, TraceStep.ServerProcessing, cancellationToken).ConfigureAwait(false);

        run.Started(TraceStep.ServerProcessing, $"Waiting for the first frame of stream {streamId}", at: written);
        (Http2Frame Frame, long At) opening;
        using (var firstTimeout = new CancellationTokenSource(request.Timeouts.FirstByte, time))
        using (var linkedFirst = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, firstTimeout.Token))
        {
            try
            {
                while (true)
                {
                    if (await h2.ReadFrameAsync(linkedFirst.Token).ConfigureAwait(false) is not { } next)
                        return Fail(run, TraceStep.ServerProcessing, "http-closed", $"The server closed the connection without answering stream {streamId}.", written);
                    if (next.Frame.StreamId != streamId)
                    {
                        await h2.HandleConnectionFrameAsync(next.Frame, next.At, run, TraceStep.ServerProcessing, linkedFirst.Token).ConfigureAwait(false);
                        if (h2.GoneAway is { } away && away.LastStream < streamId)
                            return NotProcessed(run, $"The server sent GOAWAY ({away.Error}) naming stream {away.LastStream} the last it will process: stream {streamId} was not processed", away.Error, written);
                        continue;
                    }

                    // The response begins with its HEADERS (or, wrongly, DATA, which the response step refuses); a
                    // reset is the server refusing the stream, and any other frame of it is no answer yet.
                    if (next.Frame.Type == Http2Frame.RstStream)
                    {
                        Http2Connection.Report(run, TraceStep.ServerProcessing, next.Frame, WireDirection.ServerToClient, next.At, Http2Connection.Summary(next.Frame), null);
                        if (next.Frame.Payload is [0, 0, 0, 7 or 0xd])
                            return NotProcessed(run, $"The server reset stream {streamId} before processing it ({Http2Connection.Summary(next.Frame)})", next.Frame.Payload[3] == 7 ? "REFUSED_STREAM" : "HTTP_1_1_REQUIRED", written);
                        return Fail(run, TraceStep.ServerProcessing, "http2-stream-reset", $"The server reset stream {streamId} before answering: {Http2Connection.Summary(next.Frame)}.", written);
                    }

                    if (next.Frame.Type is not (Http2Frame.Headers or Http2Frame.Data))
                    {
                        await h2.HandleConnectionFrameAsync(next.Frame, next.At, run, TraceStep.ServerProcessing, linkedFirst.Token).ConfigureAwait(false);
                        continue;
                    }

                    opening = next;
                    break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Fail(run, TraceStep.ServerProcessing, "http-first-byte-timeout", $"No frame of stream {streamId} within {Format.Duration(request.Timeouts.FirstByte)} of sending the request.", written);
            }
            catch (Exception e) when (e is ResponseProtocolException or IOException or HpackException)
            {
                var (code, reason) = Explain(e);
                return Fail(run, TraceStep.ServerProcessing, code, reason, written);
            }
        }

        var firstAt = opening.At;
        var ttfb = run.Between(written, firstAt);
        run.Started(TraceStep.HttpResponse, $"First frame of stream {streamId} arrived ({opening.Frame.TypeName})", at: firstAt);
        using var downloadTimeout = new CancellationTokenSource(request.Timeouts.Download, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, downloadTimeout.Token);
        var state = new ResponseState();
        try
        {
            var frame = opening.Frame;
            var at = opening.At;
            while (true)
            {
                if (frame.StreamId != streamId)
                {
                    await h2.HandleConnectionFrameAsync(frame, at, run, TraceStep.HttpResponse, linked.Token).ConfigureAwait(false);
                    if (h2.GoneAway is { } away && away.LastStream < streamId)
                        throw new ResponseProtocolException("http2-goaway", $"The server sent GOAWAY ({away.Error}) in the middle of stream {streamId}, which it says it will not finish.");
                }
                else if (await OnStreamFrameAsync(h2, frame, at, streamId, request, run, state, ttfb, firstAt, linked.Token).ConfigureAwait(false))
                    break;
                if (await h2.ReadFrameAsync(linked.Token).ConfigureAwait(false) is not { } next)
                    throw new ResponseProtocolException("http-truncated", $"The server closed the connection before stream {streamId} ended (no END_STREAM), after {state.Body:N0} body bytes.");
                (frame, at) = next;
                state.LastArrival = at;
            }
        }
        catch (Exception e) when (e is ResponseProtocolException or IOException or HpackException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (state.Head is null)
                CompleteServerProcessing(run, ttfb, [], firstAt);
            var (code, reason) = e is OperationCanceledException
                ? ("http-download-timeout", $"Stream {streamId} did not end within {Format.Duration(request.Timeouts.Download)}{Stalled(h2, state, run)}")
                : Explain(e);
            run.Failed(TraceStep.HttpResponse, code, reason, network: state.LastArrival > firstAt ? run.Between(firstAt, state.LastArrival) : TimeSpan.Zero);
            return new HttpExchangeResult(state.Head, false, "the stream did not end cleanly", true);
        }

        var head = state.Head!;
        var download = run.Between(firstAt, Math.Max(state.LastArrival, firstAt));
        var truncatedText = state.Truncated ? $", stopped reading at the {Format.Bytes(request.MaxBodyBytes)} cap (RST_STREAM CANCEL sent)" : "";
        run.Completed(TraceStep.HttpResponse,
            $"{head.StatusCode}: {Format.Bytes(state.Body)} body in {state.DataFrames} DATA frame{(state.DataFrames == 1 ? "" : "s")} {HttpExchange.DownloadText(download, state.Body)}{truncatedText}",
            new HttpResponseDetails(head.StatusLine, head.Version, head.StatusCode, "", head.Headers, head.Bytes, state.Body, BodyFraming.EndStream, state.Truncated, download, state.Preview.Text),
            network: download);
        await run.PauseAfterAsync(TraceStep.HttpResponse, TraceStep.Connection, cancellationToken).ConfigureAwait(false);
        return h2.GoneAway is { } gone
            ? new HttpExchangeResult(head, false, $"the server sent GOAWAY ({gone.Error})", false)
            : new HttpExchangeResult(head, true, "an HTTP/2 connection carries further requests as new streams", false);
    }

    /// <summary>One frame of the request's stream; true when the stream ended.</summary>
    private static async Task<bool> OnStreamFrameAsync(Http2Connection h2, Http2Frame frame, long at, int streamId, TraceRequest request, TraceRun run,
        ResponseState state, TimeSpan ttfb, long firstAt, CancellationToken cancellationToken)
    {
        var ended = (frame.Flags & Http2Frame.EndStream) != 0;
        switch (frame.Type)
        {
            case Http2Frame.Headers:
            {
                string? Status(IReadOnlyList<HpackField> fields) => fields.FirstOrDefault(f => f.Name == ":status")?.Value;
                var (decoded, block, frames) = await h2.ReadHeaderBlockAsync(frame, at, run, TraceStep.HttpResponse, report: true,
                    (fields, described) => $"{(Status(fields) is { } s ? $":status {s}" : "trailers")}, {fields.Count} fields: HPACK {described.WireBytes} bytes for {described.PlainBytes} plain",
                    cancellationToken).ConfigureAwait(false);
                var status = Status(decoded);
                state.LastArrival = frames[^1].At;
                if (state.Head is null)
                {
                    if (status is null || !int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 999)
                        throw new ResponseProtocolException("http2-protocol", $"The response's first header block has no valid :status ({status ?? "none"}).");
                    if (code < 200)
                    {
                        if ((frames[^1].Frame.Flags & Http2Frame.EndStream) != 0 || ended)
                            throw new ResponseProtocolException("http2-protocol", $"The server ended stream {streamId} with an informational ({code}) response, which no final response can follow (RFC 9113 §8.1).");
                        // Informational: the real response follows, though not after endless ones.
                        if (++state.Interim > MaxInterimResponses)
                            throw new ResponseProtocolException("http2-too-many-interim", $"The server sent more than {MaxInterimResponses} informational (1xx) responses on stream {streamId} and no final one.");
                        return false;
                    }

                    var headers = decoded.Where(f => !f.Name.StartsWith(':')).Select(f => new HttpHeader(f.Name, f.Value)).ToList();
                    state.Head = new HttpResponseHead($"HTTP/2 {code}", "HTTP/2", code, "", headers, block.WireBytes);
                    CompleteServerProcessing(run, ttfb, ServerTimingParser.Parse(state.Head.Values("server-timing")), firstAt);
                }
                else if ((frames[^1].Frame.Flags & Http2Frame.EndStream) == 0 && !ended)
                    throw new ResponseProtocolException("http2-protocol", $"A second header block on stream {streamId} (trailers) without END_STREAM: trailers end the stream (RFC 9113 §8.1).");

                return Ends(h2, streamId, (frames[^1].Frame.Flags & Http2Frame.EndStream) != 0 || ended);
            }

            case Http2Frame.Data:
            {
                if (state.Head is null)
                    throw new ResponseProtocolException("http2-protocol", $"The server sent DATA on stream {streamId} before its HEADERS.");
                // Flow control counts the whole payload, padding included, for the connection whatever becomes of the stream.
                await h2.CreditConnectionAsync(frame.Payload.Length, run, TraceStep.HttpResponse, cancellationToken).ConfigureAwait(false);
                state.Take(frame, at);
                if (state.DataFrames <= HttpExchange.MaxListedChunks)
                    Http2Connection.Report(run, TraceStep.HttpResponse, frame, WireDirection.ServerToClient, at, Http2Connection.Summary(frame), null);
                if (state.Body >= request.MaxBodyBytes && !ended)
                {
                    state.Truncated = true;
                    h2.Cancelled(streamId);
                    await h2.SendAsync([new Http2Frame(Http2Frame.RstStream, 0, streamId, [0, 0, 0, 8])], run, TraceStep.HttpResponse, cancellationToken).ConfigureAwait(false);
                    return true;
                }

                // The stream's window: given back once half of it was read, while the stream goes on.
                state.Unacknowledged += frame.Payload.Length;
                if (state.Unacknowledged >= Http2Connection.StreamWindow / 2 && !ended)
                {
                    await h2.SendAsync([Http2Connection.WindowUpdate(streamId, state.Unacknowledged)], run, TraceStep.HttpResponse, cancellationToken).ConfigureAwait(false);
                    state.Unacknowledged = 0;
                }

                return Ends(h2, streamId, ended);
            }

            case Http2Frame.RstStream:
                Http2Connection.Report(run, TraceStep.HttpResponse, frame, WireDirection.ServerToClient, at, Http2Connection.Summary(frame), null);
                throw new ResponseProtocolException("http2-stream-reset", $"The server reset stream {streamId}: {Http2Connection.Summary(frame)}.");
            case Http2Frame.Continuation or Http2Frame.PushPromise:
                // Errors wherever they come: the connection says which.
                await h2.HandleConnectionFrameAsync(frame, at, run, TraceStep.HttpResponse, cancellationToken).ConfigureAwait(false);
                return false;
            default:
                Http2Connection.Report(run, TraceStep.HttpResponse, frame, WireDirection.ServerToClient, at, $"{Http2Connection.Summary(frame)} (ignored)", null);
                return false;
        }
    }

    /// <summary>Notes an ended stream with the connection, which refuses any later frame of it.</summary>
    private static bool Ends(Http2Connection h2, int streamId, bool ended)
    {
        if (ended)
            h2.Ended(streamId);
        return ended;
    }

    private static ReadOnlySpan<byte> Unpadded(Http2Frame data)
    {
        var payload = data.Payload.AsSpan();
        if ((data.Flags & Http2Frame.Padded) == 0)
            return payload;
        if (payload.Length < 1 || payload[0] > payload.Length - 1)
            throw new ResponseProtocolException("http2-protocol", "A DATA frame whose padding is longer than the frame.");
        return payload[1..^payload[0]];
    }

    private static void CompleteServerProcessing(TraceRun run, TimeSpan ttfb, IReadOnlyList<ServerTimingMetric> metrics, long firstAt) =>
        HttpExchange.CompleteServerProcessing(run, ttfb, metrics, firstAt, "First frame of the response stream");

    /// <summary>Why a stream that stopped short may have stopped: flow control, or the server alone.</summary>
    private static string Stalled(Http2Connection h2, ResponseState state, TraceRun run)
    {
        if (state.Received == 0)
            return ": no DATA arrived.";
        var quiet = $"{state.Received:N0} bytes of DATA arrived, then no more DATA for {Format.Duration(run.Between(state.LastDataAt, run.Now()))}";
        // A server that missed the client's SETTINGS, or its WINDOW_UPDATE for the connection, keeps to the protocol's
        // initial window and waits for a WINDOW_UPDATE the client has no reason to send yet: the stall comes at exactly that.
        return state.Received == Http2Connection.InitialWindow || h2.ConnectionDataReceived == Http2Connection.InitialWindow
            ? $": {quiet}{(state.Received == Http2Connection.InitialWindow ? "" : $" ({h2.ConnectionDataReceived:N0} on the connection in all)")}. That is exactly HTTP/2's initial window ({Http2Connection.InitialWindow:N0} bytes): the server seems to wait for a WINDOW_UPDATE, as if it had missed this client's SETTINGS_INITIAL_WINDOW_SIZE ({Http2Connection.StreamWindow:N0} bytes) or the WINDOW_UPDATE that opened the connection's window (to {Http2Connection.ConnectionWindow:N0} bytes)."
            : $": {quiet}, while the client's windows still had {Http2Connection.StreamWindow - state.Unacknowledged:N0} bytes open for the stream and {h2.ConnectionWindowOpen:N0} for the connection, so flow control was not what held it.";
    }

    /// <summary>The server said it did not process the stream (RFC 9113 §8.7). After a graceful GOAWAY (NO_ERROR) or a
    /// REFUSED_STREAM it is safe to send again, which the trace does once, on a new connection; HTTP_1_1_REQUIRED asks for
    /// another protocol, and any other error is the server's answer.</summary>
    private static HttpExchangeResult NotProcessed(TraceRun run, string said, string error, long since) => error switch
    {
        "NO_ERROR" or "REFUSED_STREAM" => Fail(run, TraceStep.ServerProcessing, "http2-stream-refused", $"{said}, so the request is safe to send again on a new connection.", since, unprocessed: true),
        "HTTP_1_1_REQUIRED" => Fail(run, TraceStep.ServerProcessing, "http2-http11-required", $"{said}: the server wants this request in HTTP/1.1 (trace it with HTTP/1.1 only).", since),
        _ => Fail(run, TraceStep.ServerProcessing, "http2-goaway", $"{said}.", since),
    };

    private static HttpExchangeResult Fail(TraceRun run, TraceStep step, string code, string reason, long since, bool unprocessed = false)
    {
        run.Failed(step, code, reason, network: run.Between(since, run.Now()));
        return new HttpExchangeResult(null, false, reason, true, unprocessed);
    }

    private static (string Code, string Reason) Explain(Exception e) => e switch
    {
        ResponseProtocolException p => (p.Code, p.Message),
        HpackException { OverListLimit: true } h => ("http2-header-list-too-large", $"The server's header block decodes to a header list over the limit the client announced (SETTINGS_MAX_HEADER_LIST_SIZE): {h.Message}."),
        HpackException h => ("http2-compression-error", $"The server's header block cannot be decoded (HPACK): {h.Message}."),
        TlsAlertException alert => (alert.Code, alert.Message),
        _ => ("http-read", $"Reading the response failed: {e.Message}"),
    };

    private sealed class ResponseState
    {
        public HttpResponseHead? Head { get; set; }
        public long Body { get; set; }
        public int DataFrames { get; set; }
        public int Interim { get; set; }
        public int Unacknowledged { get; set; }
        public bool Truncated { get; set; }
        public long LastArrival { get; set; }

        /// <summary>DATA payload bytes of the stream, padding included (what flow control counts).</summary>
        public long Received { get; private set; }

        /// <summary>When the stream's last DATA frame arrived.</summary>
        public long LastDataAt { get; private set; }
        public BodyPreview Preview { get; } = new();

        /// <summary>Counts a DATA frame's body (its padding left out) and keeps its first bytes for the preview.</summary>
        public void Take(Http2Frame data, long at)
        {
            Received += data.Payload.Length;
            LastDataAt = at;
            var body = Unpadded(data);
            DataFrames++;
            Body += body.Length;
            Preview.Add(body);
        }
    }
}
