using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FlowTrace.Tracer.Tls;

/// <summary>
/// Keeps .NET's copy of the system's trusted certificates loaded, off the trace's path. On Linux every chain build
/// reads that copy (even one trusting only custom roots), and .NET reloads it from disk when it is more than five
/// minutes old: the first trace after an idle spell paid about a quarter of a second for it, inside its TLS step.
/// Touching the copy every <see cref="DefaultPeriod"/> makes the reload happen here instead, on this loop's thread.
/// </summary>
public sealed class TrustStoreKeeper : IDisposable
{
    /// <summary>How often the store is touched; a trace can only meet a reload in the gap after one is due.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromSeconds(1);

    private readonly X509Certificate2 _probe;

    /// <summary>Creates the keeper and its probe certificate.</summary>
    public TrustStoreKeeper()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var self = new CertificateRequest("CN=flowtrace-trust-store-probe.invalid", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
        _probe = X509CertificateLoader.LoadCertificate(self.RawData);
    }

    /// <summary>How many times the store was touched.</summary>
    public int Touches { get; private set; }

    /// <summary>The slowest touch so far: a reload of the system store shows here.</summary>
    public TimeSpan SlowestTouch { get; private set; }

    /// <summary>Builds one chain, which makes .NET load (or reload) its copy of the system store now.</summary>
    public TimeSpan Touch()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.DisableCertificateDownloads = true;
            chain.Build(_probe);
        }

        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Touches++;
        if (took > SlowestTouch)
            SlowestTouch = took;
        return took;
    }

    /// <summary>Touches the store every <paramref name="period"/> until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(TimeProvider time, TimeSpan period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var timer = new PeriodicTimer(period, time);
        try
        {
            Touch();
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                Touch();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose() => _probe.Dispose();
}
