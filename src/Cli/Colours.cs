namespace FlowTrace.Cli;

/// <summary>
/// ANSI colours for a terminal, or none: off when the output is not a terminal, when <c>NO_COLOR</c> is set to anything
/// (no-color.org), when <c>TERM</c> is <c>dumb</c>, or when <c>--no-color</c> is given.
/// </summary>
internal sealed class Colours(bool enabled)
{
    /// <summary>No colour at all.</summary>
    public static Colours None { get; } = new(false);

    public bool Enabled => enabled;

    /// <summary>Whether to colour, from the environment and the command line.</summary>
    public static bool Decide(bool outputRedirected, string? noColor, string? term, bool noColorOption) =>
        !outputRedirected && string.IsNullOrEmpty(noColor) && term != "dumb" && !noColorOption;

    public string Green(string text) => Paint(text, "32");

    public string Red(string text) => Paint(text, "31");

    public string Yellow(string text) => Paint(text, "33");

    public string Cyan(string text) => Paint(text, "36");

    public string Bold(string text) => Paint(text, "1");

    public string Dim(string text) => Paint(text, "2");

    private string Paint(string text, string code) => enabled && text.Length > 0 ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
