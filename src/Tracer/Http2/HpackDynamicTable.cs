using System.Text;

namespace FlowTrace.Tracer.Http2;

/// <summary>HPACK's dynamic table (RFC 7541 §2.3.2, §4): newest entry first, evicted from the oldest end to stay within
/// its size, which a size update may change up to the limit the decoder's side announced.</summary>
internal sealed class HpackDynamicTable(int maxSize)
{
    private readonly LinkedList<(string Name, string Value)> _entries = new();

    /// <summary>The current size: the sum of the entries' sizes.</summary>
    public int Size { get; private set; }

    /// <summary>The current maximum size.</summary>
    public int MaxSize { get; private set; } = maxSize;

    /// <summary>How many entries it holds.</summary>
    public int Count => _entries.Count;

    /// <summary>An entry's size: the bytes of its name and value, plus 32 for the overhead of keeping it.</summary>
    public static int EntrySize(string name, string value) => Encoding.Latin1.GetByteCount(name) + Encoding.Latin1.GetByteCount(value) + 32;

    /// <summary>Entry <paramref name="index"/>, counting from 1 for the newest.</summary>
    public (string Name, string Value) this[int index] =>
        index < 1 || index > _entries.Count ? throw new HpackException($"index {index} is beyond the dynamic table's {_entries.Count} entries")
            : _entries.ElementAt(index - 1);

    /// <summary>The entries, newest first.</summary>
    public IEnumerable<(string Name, string Value)> Entries => _entries;

    /// <summary>Adds an entry, evicting old ones to make room; an entry larger than the table empties it (§4.4).</summary>
    public void Add(string name, string value)
    {
        var size = EntrySize(name, value);
        while (_entries.Count > 0 && Size + size > MaxSize)
            Evict();
        if (size > MaxSize)
            return;
        _entries.AddFirst((name, value));
        Size += size;
    }

    /// <summary>Changes the maximum size, evicting what no longer fits.</summary>
    public void Resize(int maxSize)
    {
        MaxSize = maxSize;
        while (Size > MaxSize)
            Evict();
    }

    private void Evict()
    {
        var oldest = _entries.Last!.Value;
        _entries.RemoveLast();
        Size -= EntrySize(oldest.Name, oldest.Value);
    }
}
