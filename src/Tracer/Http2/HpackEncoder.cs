using System.Text;

namespace FlowTrace.Tracer.Http2;

/// <summary>
/// Encodes header lists as RFC 7541's examples do: a field in a table is sent as its index (the static table first); any
/// other is a literal added to the dynamic table, its name by index where a table has it; strings Huffman-coded when
/// that is no longer than plain. Credentials are never indexed, so that no intermediary keeps them (§7.1.3).
/// </summary>
/// <param name="tableSize">The dynamic table's size (the peer's SETTINGS_HEADER_TABLE_SIZE, 4,096 by default).</param>
internal sealed class HpackEncoder(int tableSize = 4096)
{
    private static readonly HashSet<string> NeverIndexed = new(StringComparer.Ordinal) { "authorization", "proxy-authorization", "cookie" };

    private int? _pendingSmallest;
    private int? _pendingFinal;

    /// <summary>The dynamic table as the peer's decoder will hold it after the blocks encoded so far.</summary>
    public HpackDynamicTable Table { get; } = new(tableSize);

    /// <summary>The peer's decoder changed the table size it allows (SETTINGS_HEADER_TABLE_SIZE): the next block starts
    /// with a size update (§4.2, §6.3), the smallest size since the last block first when the size went down and up.</summary>
    public void SetMaxTableSize(int size)
    {
        _pendingSmallest = Math.Min(_pendingSmallest ?? size, size);
        _pendingFinal = size;
    }

    /// <summary>One header block for <paramref name="headers"/> (names must be lower case, as HTTP/2 requires).</summary>
    /// <param name="headers">The fields, pseudo-headers first.</param>
    /// <param name="huffman">Huffman-code strings where that is no longer than plain.</param>
    public byte[] Encode(IEnumerable<(string Name, string Value)> headers, bool huffman = true)
    {
        var block = new List<byte>();
        if (_pendingFinal is { } final)
        {
            if (_pendingSmallest < final)
            {
                WriteInteger(block, 0x20, 5, _pendingSmallest.Value);
                Table.Resize(_pendingSmallest.Value);
            }

            WriteInteger(block, 0x20, 5, final);
            Table.Resize(final);
            (_pendingSmallest, _pendingFinal) = (null, null);
        }

        foreach (var (name, value) in headers)
        {
            if (!NeverIndexed.Contains(name) && Find(name, value, exact: true) is { } index)
            {
                WriteInteger(block, 0x80, 7, index);
                continue;
            }

            var nameIndex = Find(name, value, exact: false) ?? 0;
            var never = NeverIndexed.Contains(name);
            WriteInteger(block, never ? (byte)0x10 : (byte)0x40, never ? 4 : 6, nameIndex);
            if (nameIndex == 0)
                WriteString(block, name, huffman);
            WriteString(block, value, huffman);
            if (!never)
                Table.Add(name, value);
        }

        return [.. block];
    }

    /// <summary>The index of the field (or of its name), the static table searched first.</summary>
    private int? Find(string name, string value, bool exact)
    {
        for (var i = 1; i <= HpackStaticTable.Count; i++)
        {
            var entry = HpackStaticTable.Entries[i];
            if (entry.Name == name && (!exact || entry.Value == value))
                return i;
        }

        var position = HpackStaticTable.Count;
        foreach (var entry in Table.Entries)
        {
            position++;
            if (entry.Name == name && (!exact || entry.Value == value))
                return position;
        }

        return null;
    }

    /// <summary>An integer with an N-bit prefix, the prefix's other bits set to <paramref name="flags"/> (§5.1).</summary>
    internal static void WriteInteger(List<byte> block, byte flags, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Add((byte)(flags | value));
            return;
        }

        block.Add((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            block.Add((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        block.Add((byte)value);
    }

    private static void WriteString(List<byte> block, string value, bool huffman)
    {
        var plain = Encoding.Latin1.GetBytes(value);
        if (huffman && HpackHuffman.EncodedLength(plain) <= plain.Length)
        {
            var coded = HpackHuffman.Encode(plain);
            WriteInteger(block, 0x80, 7, coded.Length);
            block.AddRange(coded);
            return;
        }

        WriteInteger(block, 0x00, 7, plain.Length);
        block.AddRange(plain);
    }
}
