using System.Buffers;
using System.Text;
using Gateway.Protocols;

namespace Gateway.Tests.Protocols;

/// <summary>
/// <see cref="ConnectRequestReader"/> over tables of valid and malformed heads, each read whole,
/// by every prefix, by every two-segment split and one byte per segment.
/// </summary>
public partial class ConnectRequestReaderTests
{
    private const string CurlHead =
        "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n";

    // What a TLS client sends right behind its CONNECT without waiting for the 200: a ClientHello's first bytes.
    private static readonly byte[] s_tunnelData = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03];

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void ValidHead_IsComplete_WithWhatItCarries(string text, string host, int port, int minorVersion, string? proxyAuthorization)
    {
        byte[] bytes = Bytes(text);
        Outcome outcome = Read(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(ConnectParseStatus.Complete, outcome.Status);
        Assert.Equal(ConnectRejection.None, outcome.Rejection);
        Assert.Equal(bytes.Length, outcome.Consumed);
        Assert.Equal(host, outcome.Host);
        Assert.Equal(port, outcome.Port);
        Assert.Equal(minorVersion, outcome.MinorVersion);
        Assert.Equal(proxyAuthorization, outcome.ProxyAuthorization);
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void ValidHead_FollowedByTunnelData_LeavesTheDataUnconsumed(string text, string host, int port, int minorVersion, string? proxyAuthorization)
    {
        _ = (host, port, minorVersion, proxyAuthorization);
        byte[] head = Bytes(text);
        var buffer = new ReadOnlySequence<byte>([.. head, .. s_tunnelData]);
        var state = default(ConnectHead);

        Assert.Equal(ConnectParseStatus.Complete, ConnectRequestReader.TryRead(buffer, ref state, out SequencePosition consumed, out _));
        Assert.Equal(head.Length, buffer.Slice(0, consumed).Length);
        Assert.Equal(s_tunnelData, buffer.Slice(consumed).ToArray());
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void ValidHead_EveryPrefix_IsIncomplete(string text, string host, int port, int minorVersion, string? proxyAuthorization)
    {
        _ = (host, port, minorVersion, proxyAuthorization);
        byte[] bytes = Bytes(text);
        for (int length = 0; length < bytes.Length; length++)
        {
            Outcome outcome = Read(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.True(outcome.Status == ConnectParseStatus.Incomplete, $"prefix of {length} bytes: {outcome}");
            Assert.Equal(0, outcome.Consumed);
        }
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void ValidHead_EveryTwoSegmentSplit_GivesTheSameResult(string text, string host, int port, int minorVersion, string? proxyAuthorization)
    {
        _ = (host, port, minorVersion, proxyAuthorization);
        byte[] bytes = [.. Bytes(text), .. s_tunnelData];
        Outcome expected = Read(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(ConnectParseStatus.Complete, expected.Status);
        for (int at = 0; at <= bytes.Length; at++)
        {
            Assert.Equal(expected, Read(TestSequenceSegment.Split(bytes, at)));
        }
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void ValidHead_OneBytePerSegment_GivesTheSameResult(string text, string host, int port, int minorVersion, string? proxyAuthorization)
    {
        _ = (host, port, minorVersion, proxyAuthorization);
        byte[] bytes = [.. Bytes(text), .. s_tunnelData];
        Outcome expected = Read(new ReadOnlySequence<byte>(bytes));
        ReadOnlySequence<byte> buffer = TestSequenceSegment.ByteBySegment(bytes);
        var state = default(ConnectHead);

        Assert.Equal(expected, Read(buffer));
        Assert.Equal(ConnectParseStatus.Complete, ConnectRequestReader.TryRead(buffer, ref state, out SequencePosition consumed, out _));
        Assert.Equal(s_tunnelData, buffer.Slice(consumed).ToArray());
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void ValidHead_EveryPrefixOneBytePerSegment_IsIncomplete(string text, string host, int port, int minorVersion, string? proxyAuthorization)
    {
        _ = (host, port, minorVersion, proxyAuthorization);
        byte[] bytes = Bytes(text);
        ReadOnlySequence<byte> whole = TestSequenceSegment.ByteBySegment(bytes);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(ConnectParseStatus.Incomplete, Read(whole.Slice(0, length)).Status);
        }
    }

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public void MalformedHead_IsRejected_WithTheReason(string text, string reasonName)
    {
        ConnectRejection reason = Enum.Parse<ConnectRejection>(reasonName);

        Outcome outcome = Read(new ReadOnlySequence<byte>(Bytes(text)));

        Assert.Equal(ConnectParseStatus.Rejected, outcome.Status);
        Assert.Equal(reason, outcome.Rejection);
        Assert.Equal(0, outcome.Consumed);
    }

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public void MalformedHead_IsRejected_WithTheSameReasonHoweverSplit(string text, string reasonName)
    {
        ConnectRejection reason = Enum.Parse<ConnectRejection>(reasonName);

        byte[] bytes = Bytes(text);
        for (int at = 0; at <= bytes.Length; at++)
        {
            Assert.Equal(reason, Read(TestSequenceSegment.Split(bytes, at)).Rejection);
        }

        Assert.Equal(reason, Read(TestSequenceSegment.ByteBySegment(bytes)).Rejection);
    }

    [Theory]
    [MemberData(nameof(MalformedHeads))]
    public void MalformedHead_EveryPrefix_IsIncompleteOrTheSameRejection(string text, string reasonName)
    {
        ConnectRejection reason = Enum.Parse<ConnectRejection>(reasonName);
        // A broken line is refused as soon as it is complete, never later with another reason.
        byte[] bytes = Bytes(text);
        for (int length = 0; length < bytes.Length; length++)
        {
            Outcome outcome = Read(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.True(
                outcome.Status == ConnectParseStatus.Incomplete || (outcome.Status == ConnectParseStatus.Rejected && outcome.Rejection == reason),
                $"prefix of {length} bytes: {outcome}");
        }
    }

    [Theory]
    [MemberData(nameof(NotConnectHeads))]
    public void OtherMethodOrNotHttp_IsNotConnect_AndConsumesNothing(string text)
    {
        byte[] bytes = Bytes(text);
        foreach (ReadOnlySequence<byte> buffer in new[] { new ReadOnlySequence<byte>(bytes), TestSequenceSegment.ByteBySegment(bytes) })
        {
            var head = default(ConnectHead);
            Assert.Equal(ConnectParseStatus.NotConnect, ConnectRequestReader.TryRead(buffer, ref head, out SequencePosition consumed, out ConnectRejection rejection));
            Assert.Equal(ConnectRejection.None, rejection);
            Assert.Equal(buffer.Start, consumed);
        }
    }

    [Theory]
    [MemberData(nameof(NotConnectHeads))]
    public void OtherMethodOrNotHttp_OnceNotConnect_StaysNotConnectForLongerPrefixes(string text)
    {
        byte[] bytes = Bytes(text);
        bool decided = false;
        for (int length = 1; length <= bytes.Length; length++)
        {
            ConnectParseStatus status = Read(new ReadOnlySequence<byte>(bytes, 0, length)).Status;
            Assert.True(status == ConnectParseStatus.NotConnect || (!decided && status == ConnectParseStatus.Incomplete), $"prefix of {length} bytes: {status}");
            decided |= status == ConnectParseStatus.NotConnect;
        }

        Assert.True(decided);
    }

    [Theory]
    [InlineData("G")]
    [InlineData("\x16")]
    [InlineData("\r")]
    [InlineData("P")]
    [InlineData("COP")]
    [InlineData("CONNECTX")]
    [InlineData("c0")]
    public void OtherMethod_IsDecided_FromTheFirstByteThatCannotStartConnect(string text) =>
        Assert.Equal(ConnectParseStatus.NotConnect, Read(new ReadOnlySequence<byte>(Bytes(text))).Status);

    [Theory]
    [InlineData("")]
    [InlineData("C")]
    [InlineData("CONNEC")]
    [InlineData("CONNECT")]
    [InlineData("connect")]
    [InlineData("CONNECT ")]
    [InlineData("CONNECT api.example.test:443 HTTP/1.1\r")]
    [InlineData("CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r")]
    public void PrefixOfConnect_IsIncomplete(string text) =>
        Assert.Equal(ConnectParseStatus.Incomplete, Read(new ReadOnlySequence<byte>(Bytes(text))).Status);

    [Fact]
    public void Host_OfMaxHostLength_IsKept_AndOneMoreIsRejected()
    {
        string host = new string('h', ConnectHead.MaxHostLength - ".example.test".Length) + ".example.test";
        Outcome kept = Read(new ReadOnlySequence<byte>(Bytes($"CONNECT {host}:443 HTTP/1.1\r\n\r\n")));
        Outcome refused = Read(new ReadOnlySequence<byte>(Bytes($"CONNECT h{host}:443 HTTP/1.1\r\n\r\n")));

        Assert.Equal(ConnectHead.MaxHostLength, kept.Host?.Length);
        Assert.Equal(host, kept.Host);
        Assert.Equal(ConnectRejection.InvalidAuthority, refused.Rejection);
    }

    [Fact]
    public void Head_OfExactlyMaxHeadSize_IsComplete()
    {
        byte[] bytes = HeadOfLength(ConnectRequestReader.MaxHeadSize);
        Assert.Equal(ConnectParseStatus.Complete, Read(new ReadOnlySequence<byte>(bytes)).Status);
        Assert.Equal(bytes.Length, Read(TestSequenceSegment.ByteBySegment(bytes)).Consumed);
        Assert.Equal(bytes.Length, Read(TestSequenceSegment.Split(bytes, 4096)).Consumed);
    }

    [Fact]
    public void Head_OneByteOverMaxHeadSize_IsTooLarge_EvenWithItsEnd()
    {
        byte[] bytes = HeadOfLength(ConnectRequestReader.MaxHeadSize + 1);
        AssertRejectedEverySplit(bytes, ConnectRejection.HeadTooLarge);
    }

    [Fact]
    public void Head_OfManyValidHeadersWithoutEnd_IsTooLarge_OnceMaxHeadSizeBytesArrived()
    {
        var text = new StringBuilder("CONNECT api.example.test:443 HTTP/1.1\r\n");
        while (text.Length < ConnectRequestReader.MaxHeadSize)
        {
            text.Append("X-Filler: abcdefghijklmnopqrstuvwxyz\r\n");
        }

        byte[] bytes = Bytes(text.ToString());
        Assert.Equal(ConnectParseStatus.Incomplete, Read(new ReadOnlySequence<byte>(bytes, 0, ConnectRequestReader.MaxHeadSize - 1)).Status);
        AssertRejectedEverySplit(bytes[..ConnectRequestReader.MaxHeadSize], ConnectRejection.HeadTooLarge);
        AssertRejectedEverySplit(bytes, ConnectRejection.HeadTooLarge);
    }

    [Fact]
    public void Head_WithOneHugeLineAndNoLineEnd_IsTooLarge()
    {
        byte[] bytes = Bytes("CONNECT api.example.test:443 HTTP/1.1\r\nX-Huge: " + new string('x', 2 * ConnectRequestReader.MaxHeadSize));
        AssertRejectedEverySplit(bytes, ConnectRejection.HeadTooLarge);
    }

    [Fact]
    public void Head_WithHugeHeaderButEnd_WithinMaxHeadSize_IsComplete_HoweverSplit()
    {
        // Long lines straddling segments are copied into a pooled buffer rather than onto the stack.
        byte[] bytes = Bytes($"CONNECT api.example.test:443 HTTP/1.1\r\nX-Long: {new string('x', 6000)}\r\nProxy-Authorization: {new string('p', 1000)}\r\n\r\n");
        Outcome expected = Read(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(ConnectParseStatus.Complete, expected.Status);
        foreach (int at in new[] { 45, 3000, 6040, 6060, 6600 })
        {
            Assert.Equal(expected, Read(TestSequenceSegment.Split(bytes, at)));
        }

        Assert.Equal(expected, Read(TestSequenceSegment.ByteBySegment(bytes)));
    }

    [Fact]
    public void ReusedHead_KeepsNothingOfThePreviousRead()
    {
        var head = default(ConnectHead);
        var first = new ReadOnlySequence<byte>(Bytes("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\nProxy-Authorization: Basic YTpi\r\n\r\n"));
        Assert.Equal(ConnectParseStatus.Complete, ConnectRequestReader.TryRead(first, ref head, out _, out _));
        Assert.True(head.HasProxyAuthorization);

        var second = new ReadOnlySequence<byte>(Bytes("CONNECT a.example.test:443 HTTP/1.0\r\n\r\n"));
        Assert.Equal(ConnectParseStatus.Complete, ConnectRequestReader.TryRead(second, ref head, out _, out _));
        Assert.Equal("a.example.test", Encoding.Latin1.GetString(head.Host));
        Assert.Equal(443, head.Port);
        Assert.Equal(0, head.MinorVersion);
        Assert.False(head.HasHostHeader);
        Assert.False(head.HasProxyAuthorization);
        Assert.True(head.ProxyAuthorization.IsEmpty);

        head.Reset();
        Assert.True(head.Host.IsEmpty);
        Assert.Equal(0, head.Port);
    }

    [Fact]
    public void TryRead_OnValidHeads_AllocatesNothing()
    {
        ReadOnlySequence<byte>[] buffers =
        [
            new(Bytes(CurlHead)),
            new(Bytes("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\nProxy-Authorization: Basic ZGV2OnMzY3JldA==\r\n\r\n")),
            TestSequenceSegment.Split(Bytes(CurlHead), 50),
            TestSequenceSegment.ByteBySegment(Bytes(CurlHead)),
            TestSequenceSegment.Split(Bytes($"CONNECT api.example.test:443 HTTP/1.1\r\nX-Long: {new string('x', 1000)}\r\n\r\n"), 500),
            new(Bytes("GET http://api.example.test/ HTTP/1.1\r\n\r\n")),
        ];
        var head = default(ConnectHead);
        int complete = 0;
        foreach (ReadOnlySequence<byte> buffer in buffers)
        {
            complete += Drive(buffer, ref head, 100);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (ReadOnlySequence<byte> buffer in buffers)
        {
            complete += Drive(buffer, ref head, 10_000);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(5 * 10_100, complete);

        static int Drive(in ReadOnlySequence<byte> buffer, ref ConnectHead head, int times)
        {
            int complete = 0;
            for (int i = 0; i < times; i++)
            {
                if (ConnectRequestReader.TryRead(buffer, ref head, out _, out _) == ConnectParseStatus.Complete)
                {
                    complete++;
                }
            }

            return complete;
        }
    }

    private static void AssertRejectedEverySplit(byte[] bytes, ConnectRejection reason)
    {
        Assert.Equal(reason, Read(new ReadOnlySequence<byte>(bytes)).Rejection);
        for (int at = 0; at <= bytes.Length; at += 97)
        {
            Assert.Equal(reason, Read(TestSequenceSegment.Split(bytes, at)).Rejection);
        }

        Assert.Equal(reason, Read(TestSequenceSegment.ByteBySegment(bytes)).Rejection);
    }

    // A valid head of exactly `length` bytes: padded with one header.
    private static byte[] HeadOfLength(int length)
    {
        const string Start = "CONNECT api.example.test:443 HTTP/1.1\r\nX-Pad: ";
        const string End = "\r\n\r\n";
        return Bytes(Start + new string('p', length - Start.Length - End.Length) + End);
    }

    // Latin-1 so every char of the test text is one byte on the wire, control bytes and 0x80–0xFF included.
    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static Outcome Read(in ReadOnlySequence<byte> buffer)
    {
        var head = default(ConnectHead);
        ConnectParseStatus status = ConnectRequestReader.TryRead(buffer, ref head, out SequencePosition consumed, out ConnectRejection rejection);
        bool complete = status == ConnectParseStatus.Complete;
        return new Outcome(
            status,
            rejection,
            buffer.Slice(buffer.Start, consumed).Length,
            complete ? Encoding.Latin1.GetString(head.Host) : null,
            complete ? head.Port : 0,
            complete ? head.MinorVersion : -1,
            complete && head.HasProxyAuthorization ? Encoding.Latin1.GetString(head.ProxyAuthorization) : null);
    }

    private readonly record struct Outcome(
        ConnectParseStatus Status, ConnectRejection Rejection, long Consumed, string? Host, int Port, int MinorVersion, string? ProxyAuthorization);
}
