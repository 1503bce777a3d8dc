using System.Text;

namespace FlowTrace.Tracer.Export;

/// <summary>A command to run elsewhere: its arguments one by one (to run it) and as one line to paste in a POSIX shell.</summary>
/// <param name="Program">The program, such as <c>curl</c>.</param>
/// <param name="Arguments">Its arguments, unquoted.</param>
/// <param name="Note">What the command cannot reproduce, or null.</param>
public sealed record ShellCommand(string Program, IReadOnlyList<string> Arguments, string? Note = null)
{
    /// <summary>The command as one shell line, each argument quoted where the shell would otherwise read it.</summary>
    public string Text
    {
        get
        {
            var line = new StringBuilder(Program);
            foreach (var argument in Arguments)
                line.Append(' ').Append(Quote(argument));
            return line.ToString();
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
