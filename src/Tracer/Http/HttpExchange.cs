using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tcp;
using FlowTrace.Tracer.Tls;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Http;

/// <summary>
/// The HTTP request, server processing and HTTP response steps: the tracer writes HTTP/1.1 itself and
/// reads the answer with its own parser, timing each step by when bytes left and arrived.
/// </summary>
internal sealed class HttpExchange(TimeProvider time)
{
    public async Task<HttpExchangeResult> RunAsync(
        IArrivalSource connection, TraceTarget target, TraceRequest request, TraceRun run, CancellationToken cancellationToken)
    {
        var writeStart = run.Now();
        var (requestLine, headers, bytes) = HttpRequestWriter.Build(request.Method, target.PathAndQuery, target.HostHeader, request.Headers);
        run.Started(TraceStep.HttpRequest, $"Sending {requestLine}");
        long written;
        try
        {
            written = await connection.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            run.Failed(TraceStep.HttpRequest, "http-write", $"Could not send the request: {e.Message}");
            return new HttpExchangeResult(null, false, "the request could not be sent", true);
        }

        run.Completed(TraceStep.HttpRequest, $"{requestLine} ({headers.Count} headers, {bytes.Length} bytes) written",
            new HttpRequestDetails(requestLine, headers, bytes.Length, run.Between(writeStart, written)), written);

        await run.PauseAfterAsync(TraceStep.HttpRequest, TraceStep.ServerProcessing, cancellationToken).ConfigureAwait(false);
        run.Started(TraceStep.ServerProcessing, "Waiting for the first byte of the response", at: written);
        var reader = new ArrivalReader(connection);
        var limits = new HttpLimits(request.MaxBodyBytes);
        using var firstByteTimeout = new CancellationTokenSource(request.Timeouts.FirstByte, time);
        using var firstByteLinked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, firstByteTimeout.Token);
        try
        {
            if (!await reader.FillAsync(firstByteLinked.Token).ConfigureAwait(false))
            {
                run.Failed(TraceStep.ServerProcessing, "http-closed", connection is TlsSession { AlpnIgnored: true }
                    ? "The server closed the connection without sending a response, right after a TLS handshake in which it chose no application " +
                      "protocol (ALPN) of those offered: it may speak only HTTP/2, which the trace speaks when offered (the HTTP version option)."
                    : "The server closed the connection without sending a response.", network: run.Between(written, run.Now()));
                return new HttpExchangeResult(null, false, "the server closed the connection", true);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            run.Failed(TraceStep.ServerProcessing, "http-first-byte-timeout", $"No response within {Format.Duration(request.Timeouts.FirstByte)} of sending the request.", network: run.Between(written, run.Now()));
            return new HttpExchangeResult(null, false, "no response", true);
        }
        catch (IOException e)
        {
            run.Failed(TraceStep.ServerProcessing, e is TlsAlertException alert ? alert.Code : "http-read", e.Message, network: run.Between(written, run.Now()));
            return new HttpExchangeResult(null, false, "read error", true);
        }

        var firstByte = reader.FirstArrival!.Value;
        var ttfb = run.Between(written, firstByte);
        run.Started(TraceStep.HttpResponse, "First response byte arrived", at: firstByte);

        using var downloadTimeout = new CancellationTokenSource(request.Timeouts.Download, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, downloadTimeout.Token);
        HttpResponseHead head;
        try
        {
            head = await ReadHeadAsync(reader, limits, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ResponseProtocolException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            CompleteServerProcessing(run, ttfb, [], firstByte);
            var (code, reason) = Explain(e, request.Timeouts.Download, "response head");
            run.Failed(TraceStep.HttpResponse, code, reason, network: Downloading(run, firstByte, reader));
            return new HttpExchangeResult(null, false, "the response was malformed", true);
        }

        CompleteServerProcessing(run, ttfb, ServerTimingParser.Parse(head.Values("Server-Timing")), firstByte);
        run.Detail(TraceStep.HttpResponse, $"{head.StatusLine} ({head.Headers.Count} headers, {head.Bytes} bytes)", at: reader.LastArrival);
        await run.PauseAfterAsync(TraceStep.ServerProcessing, TraceStep.HttpResponse, cancellationToken).ConfigureAwait(false);

        var framing = Framing(head, request.Method);
        var preview = new BodyPreview();
        long bodyBytes;
        bool truncated;
        try
        {
            (bodyBytes, truncated) = framing switch
            {
                BodyFraming.None => (0L, false),
                BodyFraming.ContentLength => await ReadFixedAsync(reader, ContentLength(head), limits, preview, linked.Token).ConfigureAwait(false),
                BodyFraming.Chunked => await ChunkedBodyReader.ReadAsync(reader, limits.MaxBodyBytes, preview,
                    (number, size) => ChunkArrived(run, number, size, reader.LastArrival), linked.Token).ConfigureAwait(false),
                _ => await ReadUntilCloseAsync(reader, limits, preview, linked.Token).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is ResponseProtocolException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var (code, reason) = Explain(e, request.Timeouts.Download, "response body");
            run.Failed(TraceStep.HttpResponse, code, reason, network: Downloading(run, firstByte, reader));
            return new HttpExchangeResult(head, false, "the body could not be read to its end", true);
        }

        var lastByte = Math.Max(reader.LastArrival, firstByte);
        var download = run.Between(firstByte, lastByte);
        var details = new HttpResponseDetails(head.StatusLine, head.Version, head.StatusCode, head.ReasonPhrase, head.Headers, head.Bytes,
            bodyBytes, framing, truncated, download, preview.Text);
        var truncatedText = truncated ? $", stopped reading at the {Format.Bytes(limits.MaxBodyBytes)} cap" : "";
        run.Completed(TraceStep.HttpResponse,
            $"{head.StatusCode} {head.ReasonPhrase}: {Format.Bytes(bodyBytes)} body ({FramingText(framing)}) {DownloadText(download, bodyBytes)}{truncatedText}",
            details, network: download);

        await run.PauseAfterAsync(TraceStep.HttpResponse, TraceStep.Connection, cancellationToken).ConfigureAwait(false);
        var (keepAlive, why) = KeepAlive(head, framing, truncated);
        return new HttpExchangeResult(head, keepAlive, why, false);
    }

    /// <summary>A streamed body's chunks, each when its last byte arrived, so that the download shows its pace. A body of
    /// many tiny chunks is listed up to <see cref="MaxListedChunks"/>; the rest still count in the body's size.</summary>
    private static void ChunkArrived(TraceRun run, int number, long size, long at)
    {
        if (number <= MaxListedChunks)
            run.Detail(TraceStep.HttpResponse, $"Chunk {number}: {Format.Bytes(size)}", new BodyChunkDetails(number, size), at);
        else if (number == MaxListedChunks + 1)
            run.Detail(TraceStep.HttpResponse, string.Create(CultureInfo.InvariantCulture,
                $"More than {MaxListedChunks:N0} chunks: the rest are counted in the body's size, not listed one by one"), at: at);
    }

    /// <summary>How many of a chunked body's chunks are listed as events.</summary>
    internal const int MaxListedChunks = 2000;

    /// <summary>How long the body took; a body that came in the same read as the head has no time of its own to show.</summary>
    internal static string DownloadText(TimeSpan download, long bodyBytes) => download > TimeSpan.Zero || bodyBytes == 0
        ? $"in {Format.Duration(download)}"
        : "with the response head, in the same read (no download time of its own)";

    /// <summary>The response's network time so far: from its first byte to the last one that arrived.</summary>
    private static TimeSpan Downloading(TraceRun run, long firstByte, ArrivalReader reader) =>
        reader.LastArrival > firstByte ? run.Between(firstByte, reader.LastArrival) : TimeSpan.Zero;

    internal static BodyFraming Framing(HttpResponseHead head, string method)
    {
        if (method == "HEAD" || head.StatusCode is (>= 100 and < 200) or 204 or 304)
            return BodyFraming.None;
        if (head.Value("Transfer-Encoding") is { } te)
        {
            if (te.Split(',').Last().Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))
                return BodyFraming.Chunked;
            return BodyFraming.UntilClose;
        }

        return head.Value("Content-Length") is not null ? BodyFraming.ContentLength : BodyFraming.UntilClose;
    }

    internal static long ContentLength(HttpResponseHead head)
    {
        var values = head.Values("Content-Length").SelectMany(v => v.Split(',')).Select(v => v.Trim()).Distinct().ToList();
        if (values.Count != 1 || !long.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            throw new ResponseProtocolException("http-malformed", $"Invalid Content-Length: '{string.Join(", ", head.Values("Content-Length"))}'.");
        return length;
    }

    private static (bool KeepAlive, string Reason) KeepAlive(HttpResponseHead head, BodyFraming framing, bool truncated)
    {
        if (truncated)
            return (false, "the body was not read to its end, so the connection cannot carry another request");
        if (framing == BodyFraming.UntilClose)
            return (false, "the body ends when the server closes the connection");
        if (head.HasToken("Connection", "close"))
            return (false, "the server sent Connection: close");
        if (head.Version == "HTTP/1.0")
            return head.HasToken("Connection", "keep-alive")
                ? (true, "HTTP/1.0 with Connection: keep-alive")
                : (false, "HTTP/1.0 closes after each response unless keep-alive is asked for");
        return (true, "HTTP/1.1 keeps connections alive by default");
    }

    /// <summary>Server processing done: from the request sent to <paramref name="first"/> (HTTP/1.1's first byte,
    /// HTTP/2's first frame of the response stream), with what the server said of its time.</summary>
    internal static void CompleteServerProcessing(TraceRun run, TimeSpan ttfb, IReadOnlyList<ServerTimingMetric> metrics, long firstByte, string first = "First byte")
    {
        var serverTiming = metrics.Count == 0 ? "" :
            "; Server-Timing: " + string.Join(", ", metrics.Select(m => m.Duration is { } d ? $"{m.Name} {d.ToString("0.###", CultureInfo.InvariantCulture)} ms" : m.Name));
        run.Completed(TraceStep.ServerProcessing, $"{first} {Format.Duration(ttfb)} after the request was sent{serverTiming}",
            new ServerProcessingDetails(ttfb, metrics), firstByte, network: ttfb);
    }

    private static async Task<HttpResponseHead> ReadHeadAsync(ArrivalReader reader, HttpLimits limits, CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = HttpHeadParser.FindEnd(reader.Buffered);
            if (end >= 0)
            {
                if (end > limits.MaxHeadBytes)
                    throw new ResponseProtocolException("http-head-too-large", $"The response head is larger than {Format.Bytes(limits.MaxHeadBytes)}.");
                var head = HttpHeadParser.Parse(reader.Buffered[..end], limits.MaxHeaders);
                reader.Consume(end);
                return head;
            }

            if (reader.Count > limits.MaxHeadBytes)
                throw new ResponseProtocolException("http-head-too-large", $"The response head is larger than {Format.Bytes(limits.MaxHeadBytes)}.");
            if (reader.Count >= 5 && !reader.Buffered[..5].SequenceEqual("HTTP/"u8))
                throw new ResponseProtocolException("http-malformed", "The response does not start with an HTTP/1.x status line.");
            if (!await reader.FillAsync(cancellationToken).ConfigureAwait(false))
                throw new ResponseProtocolException("http-truncated", "The server closed the connection in the middle of the response head.");
        }
    }

    private static async Task<(long, bool)> ReadFixedAsync(ArrivalReader reader, long length, HttpLimits limits, BodyPreview preview, CancellationToken cancellationToken)
    {
        var wanted = Math.Min(length, limits.MaxBodyBytes);
        long read = 0;
        while (true)
        {
            var take = (int)Math.Min(reader.Count, wanted - read);
            preview.Add(reader.Buffered[..take]);
            reader.Consume(take);
            read += take;
            if (read >= wanted)
                return (read, wanted < length);
            if (!await reader.FillAsync(cancellationToken).ConfigureAwait(false))
                throw new ResponseProtocolException("http-truncated", $"The server closed the connection after {read:N0} of {length:N0} body bytes.");
        }
    }

    private static async Task<(long, bool)> ReadUntilCloseAsync(ArrivalReader reader, HttpLimits limits, BodyPreview preview, CancellationToken cancellationToken)
    {
        long read = 0;
        while (true)
        {
            var take = (int)Math.Min(reader.Count, limits.MaxBodyBytes - read);
            preview.Add(reader.Buffered[..take]);
            reader.Consume(take);
            read += take;
            if (read >= limits.MaxBodyBytes)
                return (read, true);
            if (!await reader.FillAsync(cancellationToken).ConfigureAwait(false))
                return (read, false);
        }
    }

    private static (string Code, string Reason) Explain(Exception e, TimeSpan downloadTimeout, string what) => e switch
    {
        ResponseProtocolException p => (p.Code, p.Message),
        TlsAlertException alert => (alert.Code, alert.Message),
        OperationCanceledException => ("http-download-timeout", $"The {what} did not arrive within {Format.Duration(downloadTimeout)}."),
        _ => ("http-read", $"Reading the {what} failed: {e.Message}"),
    };

    private static string FramingText(BodyFraming framing) => framing switch
    {
        BodyFraming.None => "no body",
        BodyFraming.ContentLength => "Content-Length",
        BodyFraming.Chunked => "chunked",
        _ => "until close",
    };
}
