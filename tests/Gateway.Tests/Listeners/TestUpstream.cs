using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Listeners;

/// <summary>A real Kestrel upstream on loopback: one HTTPS port (self-signed for the test names) and one plain HTTP port.</summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestUpstream(WebApplication app, int httpsPort, int httpPort)
    {
        _app = app;
        HttpsPort = httpsPort;
        HttpPort = httpPort;
    }

    public int HttpsPort { get; }

    public int HttpPort { get; }

    /// <summary>The deterministic byte at <paramref name="index"/> of /bytes/N.</summary>
    public static byte PatternByte(long index) => (byte)((index * 31) + (index >> 8));

    /// <summary>The SHA-256 (hex) of the first <paramref name="size"/> bytes of /bytes/N, a multiple of 64 KiB.</summary>
    public static string PatternSha256(long size)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = new byte[64 * 1024];
        for (long i = 0; i < size; i += chunk.Length)
        {
            for (int j = 0; j < chunk.Length; j++)
            {
                chunk[j] = PatternByte(i + j);
            }

            hash.AppendData(chunk);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public static async Task<TestUpstream> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        using X509Certificate2 certificate = CreateCertificate();
        var pfx = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(pfx));
            k.Listen(IPAddress.Loopback, 0);
        });
        WebApplication app = builder.Build();
        app.MapGet("/", (HttpContext c) =>
        {
            // A Content-Length body, so the raw-socket tests can frame it without chunked decoding.
            byte[] body = System.Text.Encoding.UTF8.GetBytes($"hello from {c.Request.Host.Host}");
            c.Response.ContentLength = body.Length;
            return c.Response.Body.WriteAsync(body).AsTask();
        });
        app.MapGet("/headers", (HttpContext c) => string.Join("\n", c.Request.Headers.Select(h => $"{h.Key}: {h.Value}")));
        app.MapGet("/bytes/{count:long}", async (HttpContext c, long count) =>
        {
            c.Response.ContentLength = count;
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < count;)
            {
                int n = (int)Math.Min(chunk.Length, count - sent);
                for (int i = 0; i < n; i++)
                {
                    chunk[i] = PatternByte(sent + i);
                }

                await c.Response.Body.WriteAsync(chunk.AsMemory(0, n));
                sent += n;
            }
        });
        app.MapPost("/sink", async (HttpContext c) =>
        {
            // Reads the whole body (or what arrives of it before the client goes away), however large.
            if (c.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            try
            {
                int n;
                while ((n = await c.Request.Body.ReadAsync(buffer)) > 0)
                {
                    total += n;
                }
            }
            catch (Exception e) when (e is IOException or Microsoft.AspNetCore.Http.BadHttpRequestException or OperationCanceledException)
            {
                return;
            }

            byte[] answer = System.Text.Encoding.ASCII.GetBytes("read " + total.ToString(System.Globalization.CultureInfo.InvariantCulture));
            c.Response.ContentLength = answer.Length; // framed by length, for the raw-socket tests
            await c.Response.Body.WriteAsync(answer);
        });
        app.MapGet("/chunked/{count:int}", async (HttpContext c, int count) =>
        {
            // No Content-Length: the response is chunked.
            byte[] chunk = new byte[8 * 1024];
            Array.Fill(chunk, (byte)'c');
            for (int sent = 0; sent < count; sent += chunk.Length)
            {
                await c.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, count - sent)));
                await c.Response.Body.FlushAsync();
            }
        });
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Select(a => (Https: a.StartsWith("https", StringComparison.Ordinal), Port: new Uri(a).Port)).ToList();
        return new TestUpstream(app, ports.Single(p => p.Https).Port, ports.Single(p => !p.Https).Port);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=api.example.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("api.example.test");
        names.AddDnsName("other.example.test");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
