using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Gateway.Dialing;
using Xunit.Abstractions;

namespace Security.Tests.Fuzz;

/// <summary>
/// The SOCKS5 client's side of a hostile or broken proxy: every reply frame it reads, and the
/// host field it writes. Replies never throw or allocate, a prefix of a whole reply is never
/// taken for a whole one nor asks for more than the reply holds (so the upstream's first bytes
/// stay unread), and no host the writer accepts puts a byte outside the host alphabet on the wire.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public sealed class Socks5FuzzTests(ITestOutputHelper output)
{
    private const int MaxReplyLength = 4 + 1 + 255 + 2;

    [Fact]
    public void ProxyReplies()
    {
        byte[][] corpus =
        [
            [5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38],
            [5, 4, 0, 4, .. new byte[16], 0, 80],
            [5, 0, 0, 3, 16, .. "api.example.test"u8, 1, 187, .. "HTTP/1.1 200 OK"u8],
            [5, 0], // a method choice
            [1, 0], // an RFC 1929 status
        ];
        foreach (byte[] seed in corpus)
        {
            Read(seed);
        }

        FuzzBudget.Run("socks5-replies", Mutator.Inputs(corpus, 300), input =>
        {
            Assert.Equal(0, FuzzBudget.Allocated(() => Read(input)));
            Socks5ParseStatus status = Socks5Frames.TryReadReply(input, out _, out int length, out Socks5Rejection rejection);
            Assert.Equal(status == Socks5ParseStatus.Malformed, rejection != Socks5Rejection.None);
            if (status != Socks5ParseStatus.Complete)
            {
                return;
            }

            Assert.InRange(length, 8, Math.Min(MaxReplyLength, input.Length)); // 8: a one-byte domain name
            for (int prefix = 0; prefix < length; prefix++)
            {
                Socks5ParseStatus partial = Socks5Frames.TryReadReply(input.AsSpan(0, prefix), out _, out int needed, out _);
                Assert.Equal(Socks5ParseStatus.Incomplete, partial);
                Assert.InRange(needed, prefix + 1, length);
            }
        }, output, Convert.ToHexString);
    }

    [Fact]
    public void ConnectHostField()
    {
        Gen<string> hosts = Gen.OneOf(
            Gen.String[Gen.Char[(char)0, (char)0x17F], 0, 300],
            Gen.String[Gen.Char["abcxyz019-_.:@ \r\n\0%/\\[]\u0130\u212A"], 0, 64],
            Gen.Const("api.example.test"));
        var frame = new byte[7 + 300];
        FuzzBudget.Run("socks5-host", hosts, host =>
        {
            Array.Clear(frame);
            bool wrote = Socks5Frames.TryWriteConnect(frame, host, 443, out int written);
            if (!wrote)
            {
                Assert.Equal(0, written);
                Assert.All(frame, b => Assert.Equal(0, b));
                return;
            }

            Assert.Equal(7 + host.Length, written);
            Assert.Equal(host.Length, frame[4]);
            ReadOnlySpan<byte> name = frame.AsSpan(5, host.Length);
            Assert.True(name.IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-_."u8) < 0, host);
            Assert.Equal(443, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(5 + host.Length)));
        }, output, h => Convert.ToHexString(Encoding.UTF8.GetBytes(h)));
    }

    private static void Read(byte[] input)
    {
        Socks5Frames.TryReadMethodChoice(input, out _, out _);
        Socks5Frames.TryReadAuthStatus(input, out _, out _);
        Socks5Frames.TryReadReply(input, out _, out _, out _);
    }
}
