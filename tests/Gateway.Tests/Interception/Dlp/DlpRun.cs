using System.IO.Compression;
using System.Text;
using Gateway.Interception.Dlp;
using Gateway.Interception.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>Runs one DLP case through the gateway's own scanning code: the head scan or the scanning request body.</summary>
internal sealed class DlpRun
{
    public DlpRun()
    {
        Placeholders = new Placeholders();
        OtherPlaceholder = Placeholders.For(DlpCases.OtherSandbox, DlpCases.Variable);
        OwnPlaceholder = Placeholders.For(DlpCases.Requester, DlpCases.Variable);
        Held = new HeldSecrets();
        Held.Remember(new object(), DlpCases.Credential);
        Cases = DlpCases.All(OtherPlaceholder, OwnPlaceholder);
    }

    public Placeholders Placeholders { get; }

    public string OtherPlaceholder { get; }

    public string OwnPlaceholder { get; }

    public HeldSecrets Held { get; }

    public List<DlpCase> Cases { get; }

    public DlpContext Context => new(Placeholders, DlpCases.Requester);

    /// <summary>What DLP finds for <paramref name="c"/>, the body read to its end as the forwarder would.</summary>
    public async Task<DlpPattern> ScanAsync(DlpCase c, bool block = true)
    {
        switch (c.Place)
        {
            case DlpPlace.Url:
                return DlpInspection.ScanHead(new DefaultHttpContext().Request, "/search?" + c.Text, Held.Needles, Context);
            case DlpPlace.Header:
            case DlpPlace.Authorization:
                var context = new DefaultHttpContext();
                context.Request.Headers[c.Place == DlpPlace.Header ? "X-Data" : "Authorization"] = c.Text;
                return DlpInspection.ScanHead(context.Request, "/", Held.Needles, Context);
            default:
                (byte[] data, string? encoding) = Body(c);
                (int min, int max) = c.Place is DlpPlace.BodyTrickle ? (1, 7) : c.Place is DlpPlace.BodyGzip ? (5, 5) : (data.Length, data.Length);
                using (var body = new DlpRequestBody(new TrickleStream(data, Math.Max(1, min), Math.Max(1, max)), encoding, Held.Needles, Context, block))
                {
                    byte[] forwarded = await ReadAllAsync(body);
                    if (body.Hit == DlpPattern.None || !block)
                    {
                        Assert.Equal(data, forwarded); // what is not refused is forwarded byte for byte
                    }

                    return body.Hit;
                }
        }
    }

    /// <summary>The body bytes of <paramref name="c"/> and their Content-Encoding.</summary>
    public static (byte[] Data, string? Encoding) Body(DlpCase c)
    {
        byte[] text = Encoding.Latin1.GetBytes(c.Place == DlpPlace.BodyWindowEdge
            ? new string('a', DlpStreamScanner.Chunk - (c.Text.Length / 2)) + c.Text + new string('z', 100)
            : c.Text);
        return c.Place switch
        {
            DlpPlace.BodyGzip => (Compress(text, s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true)), "gzip"),
            DlpPlace.BodyDeflate => (Compress(text, s => new ZLibStream(s, CompressionLevel.Optimal, leaveOpen: true)), "deflate"),
            DlpPlace.BodyBrotli => (Compress(text, s => new BrotliStream(s, CompressionLevel.Optimal, leaveOpen: true)), "br"),
            _ => (text, null),
        };
    }

    public static byte[] Compress(byte[] data, Func<Stream, Stream> encoder)
    {
        using var packed = new MemoryStream();
        using (Stream stream = encoder(packed))
        {
            stream.Write(data);
        }

        return packed.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Stream body)
    {
        using var copy = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30))) > 0)
            {
                copy.Write(buffer, 0, read);
            }
        }
        catch (DlpBlockedException)
        {
            // The forwarder sees this failed read and aborts the upstream request.
        }

        return copy.ToArray();
    }
}
