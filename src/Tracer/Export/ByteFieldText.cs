using System.Globalization;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Export;

/// <summary>A message's bytes field by field as text (the command line's <c>--bytes</c>): offset, the field's own bytes
/// in hex, its name and value and what it is for; a field with parts shows its header, the parts the rest.</summary>
public static class ByteFieldText
{
    private const int BytesPerLine = 16;

    /// <summary>The dump's lines, a heading first.</summary>
    public static IEnumerable<string> Lines(string title, byte[] bytes, IReadOnlyList<ByteField> fields)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(fields);
        yield return $"{title} ({bytes.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes)";
        foreach (var line in Fields(bytes, fields, 0))
            yield return line;
    }

    private static IEnumerable<string> Fields(byte[] bytes, IReadOnlyList<ByteField> fields, int depth)
    {
        foreach (var field in fields)
        {
            var own = field.OwnBytes(bytes);
            var count = own.Count;
            var label = $"{new string(' ', 2 * depth)}{field.Name}{(field.Value.Length > 0 ? $": {field.Value}" : "")}{(field.Explanation.Length > 0 ? $" — {field.Explanation}" : "")}";
            for (var line = 0; line == 0 || line * BytesPerLine < count; line++)
            {
                var chunk = Math.Min(BytesPerLine, count - line * BytesPerLine);
                var hex = chunk <= 0 ? "" : string.Join(' ', own.Skip(line * BytesPerLine).Take(chunk).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
                yield return line == 0
                    ? $"  {field.Offset.ToString("X4", CultureInfo.InvariantCulture)}  {hex,-47}  {label}"
                    : $"        {hex}";
            }

            foreach (var inner in Fields(bytes, field.Fields, depth + 1))
                yield return inner;
        }
    }
}
