using System.Net;
using System.Text;
using Gateway.Dialing;

namespace Gateway.Tests.Dialing;

/// <summary>RFC 1928 / RFC 1929 framing: exact bytes written, every prefix incomplete, every reply code, every malformed case with its reason.</summary>
public sealed class Socks5FramesTests
{
    public static TheoryData<byte[], int> Replies => new()
    {
        { [5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38], 0 },
        { [5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1F, 0x90], 0 },
        { [5, 0, 0, 3, 9, .. "proxy.lan"u8, 0x04, 0x38], 0 },
        { [5, 4, 0, 1, 0, 0, 0, 0, 0, 0], 4 },
    };

    [Fact]
    public void Greeting_WithoutCredential_OffersOnlyNoAuthentication()
    {
        Span<byte> buffer = stackalloc byte[Socks5Frames.MaxGreetingLength];
        int length = Socks5Frames.WriteGreeting(buffer, offerUsernamePassword: false);
        Assert.Equal([5, 1, 0], buffer[..length].ToArray());
    }

    [Fact]
    public void Greeting_WithCredential_OffersNoAuthenticationAndUsernamePassword()
    {
        Span<byte> buffer = stackalloc byte[Socks5Frames.MaxGreetingLength];
        int length = Socks5Frames.WriteGreeting(buffer, offerUsernamePassword: true);
        Assert.Equal([5, 2, 0, 2], buffer[..length].ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 5, 0 }, Socks5ParseStatus.Complete, 0x00)]
    [InlineData(new byte[] { 5, 2 }, Socks5ParseStatus.Complete, 0x02)]
    [InlineData(new byte[] { 5, 0xFF }, Socks5ParseStatus.Complete, 0xFF)]
    [InlineData(new byte[] { 5 }, Socks5ParseStatus.Incomplete, 0xFF)]
    [InlineData(new byte[0], Socks5ParseStatus.Incomplete, 0xFF)]
    public void MethodChoice_IsReadFromTwoBytes(byte[] input, object status, int method)
    {
        Assert.Equal((Socks5ParseStatus)status, Socks5Frames.TryReadMethodChoice(input, out byte chosen, out Socks5Rejection rejection));
        Assert.Equal((method, Socks5Rejection.None), (chosen, rejection));
    }

    [Theory]
    [InlineData(new byte[] { 4, 0 })] // a SOCKS4 server
    [InlineData(new byte[] { (byte)'H', (byte)'T' })] // an HTTP proxy answering "HTTP/1.1 400"
    public void MethodChoice_FromSomethingElse_IsMalformed(byte[] input)
    {
        Assert.Equal(Socks5ParseStatus.Malformed, Socks5Frames.TryReadMethodChoice(input, out _, out Socks5Rejection rejection));
        Assert.Equal(Socks5Rejection.WrongVersion, rejection);
    }

    [Fact]
    public void UsernamePassword_IsWrittenAsRfc1929Says()
    {
        byte[] buffer = new byte[Socks5Frames.MaxAuthRequestLength];
        Assert.True(Socks5Frames.TryWriteUsernamePassword(buffer, "user"u8, "pässword"u8, out int length));
        Assert.Equal([1, 4, .. "user"u8, 9, .. "pässword"u8], buffer[..length]);
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(8, 0)]
    [InlineData(256, 8)]
    [InlineData(8, 256)]
    public void UsernamePassword_ThatRfc1929CannotCarry_IsNotWritten(int userLength, int passwordLength)
    {
        byte[] buffer = new byte[3 + 512];
        Assert.False(Socks5Frames.TryWriteUsernamePassword(buffer, new byte[userLength], new byte[passwordLength], out int length));
        Assert.Equal(0, length);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void UsernamePassword_OfTheLongestLengths_Fits()
    {
        byte[] buffer = new byte[Socks5Frames.MaxAuthRequestLength];
        Assert.True(Socks5Frames.TryWriteUsernamePassword(buffer, new byte[255], new byte[255], out int length));
        Assert.Equal(Socks5Frames.MaxAuthRequestLength, length);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0 }, Socks5ParseStatus.Complete, true)]
    [InlineData(new byte[] { 1, 1 }, Socks5ParseStatus.Complete, false)]
    [InlineData(new byte[] { 1, 0xFF }, Socks5ParseStatus.Complete, false)]
    [InlineData(new byte[] { 1 }, Socks5ParseStatus.Incomplete, false)]
    public void AuthStatus_ZeroIsSuccess(byte[] input, object status, bool succeeded)
    {
        Assert.Equal((Socks5ParseStatus)status, Socks5Frames.TryReadAuthStatus(input, out bool ok, out _));
        Assert.Equal(succeeded, ok);
    }

    [Fact]
    public void AuthStatus_WithTheSocks5VersionByte_IsMalformed()
    {
        Assert.Equal(Socks5ParseStatus.Malformed, Socks5Frames.TryReadAuthStatus([5, 0], out bool ok, out Socks5Rejection rejection));
        Assert.Equal((false, Socks5Rejection.WrongAuthVersion), (ok, rejection));
    }

    [Fact]
    public void Connect_ToIPv4_IsAtyp1()
    {
        byte[] buffer = new byte[Socks5Frames.MaxAddressFrameLength];
        int length = Socks5Frames.WriteConnect(buffer, IPAddress.Parse("203.0.113.7"), 443);
        Assert.Equal([5, 1, 0, 1, 203, 0, 113, 7, 0x01, 0xBB], buffer[..length]);
    }

    [Fact]
    public void Connect_ToIPv6_IsAtyp4()
    {
        byte[] buffer = new byte[Socks5Frames.MaxAddressFrameLength];
        int length = Socks5Frames.WriteConnect(buffer, IPAddress.Parse("2001:db8::1"), 8443);
        Assert.Equal([5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x20, 0xFB], buffer[..length]);
    }

    [Fact]
    public void Connect_ToAName_IsAtyp3_WithTheNameAsIs()
    {
        byte[] buffer = new byte[Socks5Frames.MaxAddressFrameLength];
        Assert.True(Socks5Frames.TryWriteConnect(buffer, "api.internal.example.com", 443, out int length));
        Assert.Equal([5, 1, 0, 3, 24, .. "api.internal.example.com"u8, 0x01, 0xBB], buffer[..length]);
    }

    [Fact]
    public void Connect_ToTheLongestName_Fits()
    {
        byte[] buffer = new byte[Socks5Frames.MaxAddressFrameLength];
        string name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..255];
        Assert.True(Socks5Frames.TryWriteConnect(buffer, name, 1, out int length));
        Assert.Equal(Socks5Frames.MaxAddressFrameLength, length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Example.com")] // not canonical: upper case
    [InlineData("example.com\0.evil.test")] // a NUL some resolvers stop at
    [InlineData("example.com evil.test")]
    [InlineData("exämple.com")] // not punycode
    [InlineData("example.com:443")]
    [InlineData("[::1]")]
    [InlineData("example.com\r\n")]
    public void Connect_ToANameOutsideTheCanonicalAlphabet_WritesNothing(string host)
    {
        byte[] buffer = new byte[Socks5Frames.MaxAddressFrameLength];
        Assert.False(Socks5Frames.TryWriteConnect(buffer, host, 443, out int length));
        Assert.Equal(0, length);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Connect_ToANameOver255Bytes_WritesNothing()
    {
        byte[] buffer = new byte[Socks5Frames.MaxAddressFrameLength + 1];
        Assert.False(Socks5Frames.TryWriteConnect(buffer, new string('a', 256), 443, out _));
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Reply_Whole_IsComplete_WithItsLength(byte[] reply, int code)
    {
        Assert.Equal(Socks5ParseStatus.Complete, Socks5Frames.TryReadReply(reply, out Socks5ReplyCode read, out int length, out _));
        Assert.Equal(((Socks5ReplyCode)code, reply.Length), (read, length));
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Reply_EveryPrefix_IsIncomplete_AndNeverAsksForMoreThanTheReply(byte[] reply, int code)
    {
        _ = code;
        for (int i = 0; i < reply.Length; i++)
        {
            Assert.Equal(Socks5ParseStatus.Incomplete, Socks5Frames.TryReadReply(reply.AsSpan(0, i), out _, out int needed, out _));
            Assert.InRange(needed, i + 1, reply.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Reply_WithTheUpstreamsFirstBytesBehindIt_EndsWhereTheReplyEnds(byte[] reply, int code)
    {
        byte[] withData = [.. reply, .. "SSH-2.0-OpenSSH\r\n"u8];
        Assert.Equal(Socks5ParseStatus.Complete, Socks5Frames.TryReadReply(withData, out Socks5ReplyCode read, out int length, out _));
        Assert.Equal(((Socks5ReplyCode)code, reply.Length), (read, length));
    }

    [Theory]
    [InlineData(0, Socks5ReplyCode.Succeeded)]
    [InlineData(1, Socks5ReplyCode.GeneralFailure)]
    [InlineData(2, Socks5ReplyCode.NotAllowed)]
    [InlineData(3, Socks5ReplyCode.NetworkUnreachable)]
    [InlineData(4, Socks5ReplyCode.HostUnreachable)]
    [InlineData(5, Socks5ReplyCode.ConnectionRefused)]
    [InlineData(6, Socks5ReplyCode.TtlExpired)]
    [InlineData(7, Socks5ReplyCode.CommandNotSupported)]
    [InlineData(8, Socks5ReplyCode.AddressTypeNotSupported)]
    [InlineData(9, (Socks5ReplyCode)9)]
    [InlineData(255, (Socks5ReplyCode)255)]
    public void Reply_EveryCode_IsRead(byte rep, object code)
    {
        Assert.Equal(Socks5ParseStatus.Complete, Socks5Frames.TryReadReply([5, rep, 0, 1, 0, 0, 0, 0, 0, 0], out Socks5ReplyCode read, out _, out _));
        Assert.Equal((Socks5ReplyCode)code, read);
    }

    [Theory]
    [InlineData(new byte[] { 4, 0, 0, 1 }, Socks5Rejection.WrongVersion)]
    [InlineData(new byte[] { 0x48, 0x54, 0x54, 0x50 }, Socks5Rejection.WrongVersion)] // "HTTP"
    [InlineData(new byte[] { 5, 0, 0, 0 }, Socks5Rejection.UnknownAddressType)]
    [InlineData(new byte[] { 5, 0, 0, 2 }, Socks5Rejection.UnknownAddressType)]
    [InlineData(new byte[] { 5, 0, 0, 5 }, Socks5Rejection.UnknownAddressType)]
    [InlineData(new byte[] { 5, 0, 0, 3, 0, 0, 0 }, Socks5Rejection.EmptyDomainName)]
    public void Reply_Malformed_SaysWhy(byte[] input, object expected)
    {
        Assert.Equal(Socks5ParseStatus.Malformed, Socks5Frames.TryReadReply(input, out _, out _, out Socks5Rejection rejection));
        Assert.Equal((Socks5Rejection)expected, rejection);
    }

    [Fact]
    public void Reply_FromTheWrongVersion_IsMalformedOnItsFirstByte() =>
        Assert.Equal(Socks5ParseStatus.Malformed, Socks5Frames.TryReadReply(Encoding.ASCII.GetBytes("H"), out _, out _, out _));
}
