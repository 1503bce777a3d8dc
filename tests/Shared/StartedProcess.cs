using System.Diagnostics;
using System.Text;

namespace FlowTrace.Testing;

/// <summary>A long-running tool (a server, a capture) with its output kept for error messages; disposing kills it.</summary>
public sealed class StartedProcess : IDisposable
{
    private readonly StringBuilder _log = new();

    /// <summary>Starts <paramref name="info"/> with its standard output and error collected.</summary>
    public StartedProcess(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        Process = Process.Start(info)!;
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Everything the tool wrote so far, both streams interleaved.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It had already gone.
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_log)
            _log.AppendLine(line);
    }
}
