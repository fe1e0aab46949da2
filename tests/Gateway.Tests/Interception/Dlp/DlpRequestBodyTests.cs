using System.IO.Compression;
using System.Text;
using Gateway.Interception.Dlp;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>The scanning request body: bounded decoding, fail-closed on undecodable input, prefetch, report mode.</summary>
public sealed class DlpRequestBodyTests
{
    private static readonly DlpContext s_context = new(null, "dev");

    [Fact]
    public async Task AGzipBomb_IsRefusedAsDecodeLimit_BeforeItIsDecodedToTheEnd()
    {
        byte[] zeros = new byte[64 << 20];
        byte[] bomb = DlpRun.Compress(zeros, s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));
        using var body = new DlpRequestBody(new MemoryStream(bomb), "gzip", DlpNeedles.ShapesOnly, s_context, block: true);

        DlpPattern hit = await body.PrefetchAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(DlpPattern.DecodeLimit, hit);
    }

    [Fact]
    public async Task ABodyThatDoesNotDecode_IsRefusedAsUndecodable()
    {
        byte[] garbage = Encoding.ASCII.GetBytes("this is not gzip at all, but says it is");
        using var body = new DlpRequestBody(new MemoryStream(garbage), "gzip", DlpNeedles.ShapesOnly, s_context, block: true);

        DlpPattern hit = await body.PrefetchAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(DlpPattern.Undecodable, hit);
        await Assert.ThrowsAsync<DlpBlockedException>(() => body.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AnUnknownEncoding_IsScannedRaw_AndForwardedUnchanged()
    {
        byte[] data = Encoding.ASCII.GetBytes("zstd-ish bytes " + DlpCases.GithubClassic);
        using var body = new DlpRequestBody(new MemoryStream(data), "zstd", DlpNeedles.ShapesOnly, s_context, block: true);

        Assert.Equal(DlpPattern.GithubToken, await body.PrefetchAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task InReportMode_AHitIsRecorded_AndEveryByteStillGoesThrough()
    {
        byte[] data = Encoding.ASCII.GetBytes(new string('a', 200_000) + " " + DlpCases.Aws + " " + new string('b', 200_000));
        using var body = new DlpRequestBody(new TrickleStream(data, 1000, 9000), null, DlpNeedles.ShapesOnly, s_context, block: false);
        using var copy = new MemoryStream();

        await body.CopyToAsync(copy).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(DlpPattern.AwsAccessKeyId, body.Hit);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Prefetch_ReadsAShortBodyWhole_AndForwardsItAfterwardsUnchanged()
    {
        byte[] data = Encoding.ASCII.GetBytes("{\"hello\":\"world\"}");
        var inner = new TrickleStream(data, 1, 3);
        using var body = new DlpRequestBody(inner, null, DlpNeedles.ShapesOnly, s_context, block: true);

        Assert.Equal(DlpPattern.None, await body.PrefetchAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(data.Length, inner.Position);
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task ASecretPastThePrefetchedPart_FailsTheRead_WhenBlocking()
    {
        byte[] data = Encoding.ASCII.GetBytes(new string('a', DlpBodyLimits.Prefetch * 3) + "\n" + DlpCases.Stripe);
        using var body = new DlpRequestBody(new MemoryStream(data), null, DlpNeedles.ShapesOnly, s_context, block: true);
        Assert.Equal(DlpPattern.None, await body.PrefetchAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        await Assert.ThrowsAsync<DlpBlockedException>(() => body.CopyToAsync(Stream.Null).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(DlpPattern.StripeKey, body.Hit);
    }
}
