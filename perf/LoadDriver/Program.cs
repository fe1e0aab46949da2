using System.Globalization;
using System.Runtime.InteropServices;
using LoadDriver.Origin;
using LoadDriver.Suite;

namespace LoadDriver;

/// <summary>
/// <c>LoadDriver suite [--quick] [--only S1,S3]</c> runs the side-by-side suite (perf/run.sh
/// calls it); <c>LoadDriver origin --cert-dir DIR [--http P] [--tls P] [--bulk P]</c> is the
/// origin the suite starts on the load core; <c>LoadDriver load …</c> is one ad-hoc run against
/// a proxy already running (see <see cref="Load.LoadCommand"/>).
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["suite", .. var rest] => await SuiteRunner.RunAsync(SuiteOptions.Parse(rest)).ConfigureAwait(false),
                ["origin", .. var rest] => await OriginAsync(rest).ConfigureAwait(false),
                ["report", string json] => await SuiteRunner.RenderAsync(json).ConfigureAwait(false),
                ["load", .. var rest] => await Load.LoadCommand.RunAsync(rest).ConfigureAwait(false),
                _ => Usage(),
            };
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
#pragma warning disable CA1031 // Caught so every finally (which stops the peers by PID) runs before the process exits.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync("LoadDriver: " + e).ConfigureAwait(false);
            return 1;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: LoadDriver suite [--quick] [--only S1,S2,…] [--root DIR] [--results DIR] [--work DIR]");
        Console.Error.WriteLine("       LoadDriver report perf/results/latest.json   (renders latest.md again from the raw figures)");
        Console.Error.WriteLine("       LoadDriver origin --cert-dir DIR [--http PORT] [--tls PORT] [--bulk PORT]");
        Console.Error.WriteLine("       LoadDriver load --connect HOST:PORT [--via connect|socks5|direct] --port ORIGIN_PORT [--host NAME|warm:N|unique:FROM] [--tls-root PEM]");
        Console.Error.WriteLine("                       [--per-request] [--concurrency N | --rate R] [--seconds S] [--size BYTES] [--expect-header \"Name: value\"] [--requests N] [--source IP]");
        return 2;
    }

    private static async Task<int> OriginAsync(string[] args)
    {
        string? certDir = null;
        int http = 0, tls = 0, bulk = 0;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--cert-dir":
                    certDir = args[i + 1];
                    break;
                case "--http":
                    http = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--tls":
                    tls = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--bulk":
                    bulk = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"origin: unknown argument \"{args[i]}\"");
            }
        }

        if (certDir is null)
        {
            throw new ArgumentException("origin: --cert-dir is required");
        }

        (System.Security.Cryptography.X509Certificates.X509Certificate2 leaf, System.Security.Cryptography.X509Certificates.X509Certificate2 ca) = OriginCertificates.Create(certDir);
        await using OriginServer server = OriginServer.Start(http, tls, bulk, leaf, ca);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"origin: http {server.HttpPort} tls {server.TlsPort} bulk {server.BulkPort}"));

        var stop = new TaskCompletionSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task.ConfigureAwait(false);
        return 0;
    }
}
