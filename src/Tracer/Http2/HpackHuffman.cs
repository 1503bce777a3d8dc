namespace FlowTrace.Tracer.Http2;

/// <summary>
/// HPACK's Huffman code (RFC 7541 Appendix B). The code is canonical (codes of one length are consecutive, in symbol
/// order, and shorter codes come first), so the appendix's length column defines it; the codes are built from it once.
/// Decoding walks the bits through the canonical ranges, with the padding rules of §5.2 (at most 7 bits, all ones; EOS
/// never appears in a string).
/// </summary>
internal static class HpackHuffman
{
    /// <summary>Each symbol's code length in bits: bytes 0 to 255, then EOS (256). RFC 7541 Appendix B, column "len".</summary>
    private static readonly byte[] Lengths =
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    private const int Eos = 256;

    /// <summary>Each symbol's code, right-aligned.</summary>
    private static readonly uint[] Codes = BuildCodes();

    /// <summary>Per length: the first code of that length, how many symbols have it, and where they start in
    /// <see cref="SymbolsByCode"/>.</summary>
    private static readonly (uint First, int Count, int Start)[] ByLength = BuildRanges();

    /// <summary>The symbols in code order (by length, then symbol).</summary>
    private static readonly int[] SymbolsByCode = [.. Enumerable.Range(0, 257).OrderBy(s => Lengths[s]).ThenBy(s => s)];

    /// <summary>A symbol's code and its length (for tests against the appendix).</summary>
    public static (uint Code, int Length) CodeOf(int symbol) => (Codes[symbol], Lengths[symbol]);

    /// <summary>How many bytes <paramref name="value"/> takes Huffman-coded.</summary>
    public static int EncodedLength(ReadOnlySpan<byte> value)
    {
        long bits = 0;
        foreach (var b in value)
            bits += Lengths[b];
        return (int)((bits + 7) / 8);
    }

    /// <summary>Codes <paramref name="value"/>, padded with the most significant bits of EOS (ones).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> value)
    {
        var output = new byte[EncodedLength(value)];
        ulong pending = 0;
        var pendingBits = 0;
        var written = 0;
        foreach (var b in value)
        {
            pending = (pending << Lengths[b]) | Codes[b];
            pendingBits += Lengths[b];
            while (pendingBits >= 8)
            {
                pendingBits -= 8;
                output[written++] = (byte)(pending >> pendingBits);
            }
        }

        if (pendingBits > 0)
            output[written] = (byte)((pending << (8 - pendingBits)) | (0xFFu >> pendingBits));
        return output;
    }

    /// <summary>Decodes a Huffman-coded string; throws <see cref="HpackException"/> on EOS, bad padding or an unknown code.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> coded)
    {
        var output = new List<byte>(coded.Length * 8 / 5);
        uint code = 0;
        var length = 0;
        foreach (var b in coded)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | (uint)((b >> bit) & 1);
                length++;
                if (length > 30)
                    throw new HpackException("a Huffman code longer than 30 bits");
                var (first, count, start) = ByLength[length];
                if (count == 0 || code < first || code >= first + (uint)count)
                    continue;
                var symbol = SymbolsByCode[start + (int)(code - first)];
                if (symbol == Eos)
                    throw new HpackException("EOS inside a Huffman-coded string");
                output.Add((byte)symbol);
                code = 0;
                length = 0;
            }
        }

        // What is left must be padding: fewer than 8 bits, all ones (a prefix of EOS).
        if (length > 7)
            throw new HpackException($"{length} bits of Huffman padding (at most 7)");
        if (code != (1u << length) - 1)
            throw new HpackException("Huffman padding that is not all ones");
        return [.. output];
    }

    private static uint[] BuildCodes()
    {
        var codes = new uint[257];
        uint code = 0;
        var previous = 0;
        foreach (var symbol in Enumerable.Range(0, 257).OrderBy(s => Lengths[s]).ThenBy(s => s))
        {
            code <<= Lengths[symbol] - previous;
            previous = Lengths[symbol];
            codes[symbol] = code++;
        }

        return codes;
    }

    private static (uint First, int Count, int Start)[] BuildRanges()
    {
        var ranges = new (uint First, int Count, int Start)[31];
        var ordered = Enumerable.Range(0, 257).OrderBy(s => Lengths[s]).ThenBy(s => s).ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            var length = Lengths[ordered[i]];
            if (ranges[length].Count == 0)
                ranges[length] = (Codes[ordered[i]], 0, i);
            ranges[length].Count++;
        }

        return ranges;
    }
}
