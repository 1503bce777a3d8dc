using System.Globalization;

namespace FlowTrace.Tracer.Http;

/// <summary>Decodes a chunked body (RFC 9112 §7.1), counting its bytes, with strict bounds on sizes.</summary>
internal static class ChunkedBodyReader
{
    private const int MaxLineLength = 4096;

    /// <summary>Reads to the last chunk and its trailers; returns the decoded size and whether the cap cut it short.</summary>
    /// <param name="reader">The connection's bytes, timed.</param>
    /// <param name="maxBodyBytes">Reading stops at this many decoded bytes.</param>
    /// <param name="preview">Collects the body's first bytes.</param>
    /// <param name="chunkRead">Told of each chunk once all its data arrived: its number (from 1) and size.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async Task<(long Bytes, bool Truncated)> ReadAsync(ArrivalReader reader, long maxBodyBytes, BodyPreview preview,
        Action<int, long>? chunkRead, CancellationToken cancellationToken)
    {
        long total = 0;
        var chunks = 0;
        while (true)
        {
            var sizeLine = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false);
            var size = ParseChunkSize(sizeLine);
            if (size == 0)
            {
                // Trailer section: header lines until an empty one.
                while ((await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false)).Length > 0)
                {
                }

                return (total, false);
            }

            var remaining = size;
            while (remaining > 0)
            {
                var take = (int)Math.Min(reader.Count, remaining);
                take = (int)Math.Min(take, maxBodyBytes - total);
                preview.Add(reader.Buffered[..take]);
                reader.Consume(take);
                remaining -= take;
                total += take;
                if (total >= maxBodyBytes)
                    return (total, true);
                if (remaining > 0 && !await reader.FillAsync(cancellationToken).ConfigureAwait(false))
                    throw new ResponseProtocolException("http-truncated", "The server closed the connection in the middle of a chunk.");
            }

            chunkRead?.Invoke(++chunks, size);
            var end = await ReadLineAsync(reader, cancellationToken).ConfigureAwait(false);
            if (end.Length != 0)
                throw new ResponseProtocolException("http-malformed", "A chunk is not followed by CRLF.");
        }
    }

    /// <summary>Parses a chunk-size line (hex size, optional extensions after ';').</summary>
    public static long ParseChunkSize(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var semicolon = line.IndexOf(';', StringComparison.Ordinal);
        var hex = (semicolon >= 0 ? line[..semicolon] : line).Trim(' ', '\t');
        if (hex.Length == 0 || hex.Length > 15 || !long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            throw new ResponseProtocolException("http-malformed", $"Invalid chunk size '{(hex.Length > 20 ? hex[..20] + "…" : hex)}'.");
        return size;
    }

    private static async Task<string> ReadLineAsync(ArrivalReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = reader.Buffered.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = System.Text.Encoding.Latin1.GetString(reader.Buffered[..newline]).TrimEnd('\r');
                reader.Consume(newline + 1);
                return line;
            }

            if (reader.Count > MaxLineLength)
                throw new ResponseProtocolException("http-malformed", "A chunk-size or trailer line is too long.");
            if (!await reader.FillAsync(cancellationToken).ConfigureAwait(false))
                throw new ResponseProtocolException("http-truncated", "The server closed the connection in the middle of a chunked body.");
        }
    }
}
