using System.Globalization;
using System.Text;
using FlowTrace.Contracts.Events;

namespace FlowTrace.Tracer.Http;

/// <summary>Parses <c>Server-Timing</c> header values (W3C Server Timing): <c>db;dur=53.2;desc="Database", cache;desc=hit</c>.</summary>
public static class ServerTimingParser
{
    /// <summary>Parses every metric of the given header values; malformed parts are skipped, never thrown on.</summary>
    public static IReadOnlyList<ServerTimingMetric> Parse(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        var metrics = new List<ServerTimingMetric>();
        foreach (var value in headerValues)
        {
            foreach (var entry in SplitOutsideQuotes(value, ','))
            {
                var parts = SplitOutsideQuotes(entry, ';');
                var name = parts[0].Trim();
                if (name.Length == 0 || !name.All(IsTokenChar))
                    continue;
                double? duration = null;
                string? description = null;
                foreach (var parameter in parts.Skip(1))
                {
                    var eq = parameter.IndexOf('=', StringComparison.Ordinal);
                    var key = (eq < 0 ? parameter : parameter[..eq]).Trim().ToLowerInvariant();
                    var raw = eq < 0 ? "" : Unquote(parameter[(eq + 1)..].Trim());
                    if (key == "dur" && duration is null && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
                        duration = d;
                    else if (key == "desc" && description is null)
                        description = raw;
                }

                metrics.Add(new ServerTimingMetric(name, duration, description));
            }
        }

        return metrics;
    }

    private static bool IsTokenChar(char c) => c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={}".IndexOf(c, StringComparison.Ordinal) < 0;

    private static string Unquote(string text)
    {
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
            return text;
        var builder = new StringBuilder();
        for (var i = 1; i < text.Length - 1; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length - 1)
                i++;
            builder.Append(text[i]);
        }

        return builder.ToString();
    }

    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && quoted)
                i++;
            else if (text[i] == '"')
                quoted = !quoted;
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }
}
