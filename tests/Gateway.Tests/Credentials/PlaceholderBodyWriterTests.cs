using System.Text;
using Gateway.Credentials;

namespace Gateway.Tests.Credentials;

public sealed class PlaceholderBodyWriterTests
{
    private const string Placeholder = "gw-placeholder-0123456789abcdef0123456789abcdef";
    private const string Secret = "real-secret-value";

    [Fact]
    public async Task APlaceholderSplitAtEveryByte_OfTwoWrites_IsReplaced()
    {
        string body = "{\"key\":\"" + Placeholder + "\",\"again\":\"" + Placeholder + "\"}";
        string expected = body.Replace(Placeholder, Secret, StringComparison.Ordinal);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        for (int split = 0; split <= bytes.Length; split++)
        {
            Assert.Equal(expected, await WriteAsync([bytes[..split], bytes[split..]]));
        }
    }

    [Fact]
    public async Task ByteByByte_AndAlmostPlaceholders_AreHandled()
    {
        string near = Placeholder[..^1] + "X";
        string body = near + " " + Placeholder + " " + Placeholder[..20];
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        byte[][] single = [.. bytes.Select(b => new[] { b })];

        Assert.Equal(near + " " + Secret + " " + Placeholder[..20], await WriteAsync(single));
    }

    [Fact]
    public async Task ABodyWithoutPlaceholders_PassesUnchanged()
    {
        byte[] bytes = new byte[100_000];
        new Random(7).NextBytes(bytes);
        using var output = new MemoryStream();
        await using (var writer = new PlaceholderBodyWriter(output, [new BodyPlaceholder(Encoding.UTF8.GetBytes(Placeholder), Encoding.UTF8.GetBytes(Secret))]))
        {
            for (int at = 0; at < bytes.Length; at += 4093)
            {
                await writer.WriteAsync(bytes.AsMemory(at, Math.Min(4093, bytes.Length - at)));
            }

            await writer.FinishAsync(CancellationToken.None);
            Assert.Equal(0, writer.Replaced);
        }

        Assert.Equal(bytes, output.ToArray());
    }

    private static async Task<string> WriteAsync(byte[][] writes)
    {
        using var output = new MemoryStream();
        await using (var writer = new PlaceholderBodyWriter(output, [new BodyPlaceholder(Encoding.UTF8.GetBytes(Placeholder), Encoding.UTF8.GetBytes(Secret))]))
        {
            foreach (byte[] write in writes)
            {
                await writer.WriteAsync(write);
            }

            await writer.FinishAsync(CancellationToken.None);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}
