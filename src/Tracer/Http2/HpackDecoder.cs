using System.Text;

namespace FlowTrace.Tracer.Http2;

/// <summary>
/// Decodes header blocks (RFC 7541): indexed fields from the static and dynamic tables, literals with and without
/// indexing, Huffman-coded strings and table size updates, keeping the dynamic table across the blocks of one connection.
/// Bounded: integers, strings and the decoded header list have limits, and any byte sequence decodes or fails with an
/// <see cref="HpackException"/>.
/// </summary>
/// <param name="maxTableSize">The table size this side allows (SETTINGS_HEADER_TABLE_SIZE, 4,096 by default): a size
/// update beyond it is an error.</param>
/// <param name="maxHeaderListSize">The largest header list accepted, counted as HPACK counts sizes.</param>
internal sealed class HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = 64 * 1024)
{
    /// <summary>The dynamic table as the blocks decoded so far left it.</summary>
    public HpackDynamicTable Table { get; } = new(maxTableSize);

    /// <summary>Decodes one complete header block (HEADERS and its CONTINUATIONs joined).</summary>
    public IReadOnlyList<HpackField> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<HpackField>();
        var listSize = 0;
        var position = 0;
        var fieldSeen = false;
        while (position < block.Length)
        {
            var start = position;
            var first = block[position];
            if ((first & 0x80) != 0)
            {
                var index = ReadInteger(block, ref position, 7);
                if (index == 0)
                    throw new HpackException("an indexed field with index 0");
                var (name, value, fromStatic) = Lookup(index);
                fields.Add(new HpackField(name, value, HpackRepresentation.Indexed, index, fromStatic, position - start, false));
            }
            else if ((first & 0xE0) == 0x20)
            {
                // A size update is allowed only before the block's first field (§4.2).
                if (fieldSeen)
                    throw new HpackException("a dynamic table size update after a header field");
                var size = ReadInteger(block, ref position, 5);
                if (size > maxTableSize)
                    throw new HpackException($"a dynamic table size update to {size} bytes, beyond the {maxTableSize} allowed");
                Table.Resize(size);
                continue;
            }
            else
            {
                var (representation, prefix) = (first & 0xC0) == 0x40 ? (HpackRepresentation.LiteralIncrementalIndexing, 6)
                    : (first & 0xF0) == 0x10 ? (HpackRepresentation.LiteralNeverIndexed, 4)
                    : (HpackRepresentation.LiteralWithoutIndexing, 4);
                var nameIndex = ReadInteger(block, ref position, prefix);
                string name;
                var huffman = false;
                var fromStatic = false;
                if (nameIndex == 0)
                    (name, huffman) = ReadString(block, ref position);
                else
                    (name, _, fromStatic) = Lookup(nameIndex);
                var (value, valueHuffman) = ReadString(block, ref position);
                if (representation == HpackRepresentation.LiteralIncrementalIndexing)
                    Table.Add(name, value);
                fields.Add(new HpackField(name, value, representation, nameIndex == 0 ? null : nameIndex, fromStatic, position - start, huffman || valueHuffman));
            }

            fieldSeen = true;
            listSize += fields[^1].Size;
            if (listSize > maxHeaderListSize)
                throw new HpackException($"the header list is larger than {maxHeaderListSize:N0} bytes, from a block of {block.Length:N0} bytes", overListLimit: true);
        }

        return fields;
    }

    private (string Name, string Value, bool FromStatic) Lookup(int index)
    {
        if (index <= HpackStaticTable.Count)
        {
            var (name, value) = HpackStaticTable.Entries[index];
            return (name, value, true);
        }

        var dynamic = index - HpackStaticTable.Count;
        if (dynamic > Table.Count)
            throw new HpackException($"index {index} is beyond the tables (61 static entries, {Table.Count} dynamic)");
        var (n, v) = Table[dynamic];
        return (n, v, false);
    }

    /// <summary>An integer with an N-bit prefix (§5.1), at most 2^28: more would be no header block of this world.</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits)
    {
        if (position >= block.Length)
            throw new HpackException("the block ends inside an integer");
        var max = (1 << prefixBits) - 1;
        var value = block[position++] & max;
        if (value < max)
            return value;
        for (var shift = 0; ; shift += 7)
        {
            if (position >= block.Length)
                throw new HpackException("the block ends inside an integer");
            if (shift > 21)
                throw new HpackException("an integer larger than 2^28");
            var next = block[position++];
            value += (next & 0x7F) << shift;
            if ((next & 0x80) == 0)
                return value;
        }
    }

    private static (string Value, bool Huffman) ReadString(ReadOnlySpan<byte> block, ref int position)
    {
        if (position >= block.Length)
            throw new HpackException("the block ends before a string");
        var huffman = (block[position] & 0x80) != 0;
        var length = ReadInteger(block, ref position, 7);
        if (length > block.Length - position)
            throw new HpackException($"a string of {length} bytes where {block.Length - position} remain");
        var bytes = block.Slice(position, length);
        position += length;
        return (huffman ? Encoding.Latin1.GetString(HpackHuffman.Decode(bytes)) : Encoding.Latin1.GetString(bytes), huffman);
    }
}
