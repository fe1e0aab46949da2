using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Protocols;

namespace Gateway.Tests.Protocols;

/// <summary>
/// <see cref="ClientHelloReader"/> over tables of valid and malformed hellos, each read whole,
/// by every prefix, by every two-segment split and one byte per segment; and over a hello
/// captured from a real <c>openssl s_client</c>.
/// </summary>
public partial class ClientHelloReaderTests
{
    [Theory]
    [MemberData(nameof(ValidHellos))]
    public void ValidHello_IsComplete_WithItsServerName(string name)
    {
        (byte[] bytes, string serverName, string? alpn, ushort version) = s_valid[name];

        Outcome outcome = Read(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(new Outcome(ClientHelloStatus.Complete, ClientHelloRejection.None, serverName, alpn, version), outcome);
    }

    [Theory]
    [MemberData(nameof(ValidHellos))]
    public void ValidHello_EveryPrefix_IsIncomplete(string name)
    {
        byte[] bytes = s_valid[name].Bytes;
        int end = bytes.Length - (name.StartsWith("trailing", StringComparison.Ordinal) ? 4 : 0);
        for (int length = 0; length < end; length++)
        {
            Outcome outcome = Read(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.True(outcome.Status == ClientHelloStatus.Incomplete, $"prefix of {length} bytes: {outcome}");
        }
    }

    [Theory]
    [MemberData(nameof(ValidHellos))]
    public void ValidHello_EveryTwoSegmentSplit_GivesTheSameResult(string name)
    {
        byte[] bytes = s_valid[name].Bytes;
        Outcome expected = Read(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(ClientHelloStatus.Complete, expected.Status);
        for (int at = 0; at <= bytes.Length; at++)
        {
            Assert.Equal(expected, Read(TestSequenceSegment.Split(bytes, at)));
        }
    }

    [Theory]
    [MemberData(nameof(ValidHellos))]
    public void ValidHello_OneBytePerSegment_GivesTheSameResult(string name)
    {
        byte[] bytes = s_valid[name].Bytes;
        ReadOnlySequence<byte> whole = TestSequenceSegment.ByteBySegment(bytes);

        Assert.Equal(Read(new ReadOnlySequence<byte>(bytes)), Read(whole));
        Assert.Equal(ClientHelloStatus.Incomplete, Read(whole.Slice(0, bytes.Length / 2)).Status);
    }

    [Fact]
    public void Hello_SplitOverTwoAndThreeRecords_ReadsAsInOne()
    {
        ClientHelloBuilder builder = ClientHelloBuilder.ChromeLike("www.example.test");
        Outcome one = Read(new ReadOnlySequence<byte>(builder.Build()));
        Assert.Equal(ClientHelloStatus.Complete, one.Status);

        foreach (int[] fragments in new[] { new[] { 1 }, [2], [4], [5], [100], [1500], [builder.Handshake().Length - 1], [1, 1], [3, 3], [512, 512], [700, 1] })
        {
            byte[] bytes = builder.Build(fragments);
            Assert.Equal(one, Read(new ReadOnlySequence<byte>(bytes)));
            Assert.Equal(one, Read(TestSequenceSegment.Split(bytes, bytes.Length / 3)));
        }
    }

    [Fact]
    public void Hello_OfExactly16KiB_IsComplete_AndOneByteMore_IsTooLarge()
    {
        ClientHelloBuilder builder = ClientHelloBuilder.Tls13("api.example.test").PaddedTo(MaxHandshakeInOneRecord);
        byte[] exact = builder.Build();
        Assert.Equal(ClientHelloReader.MaxHelloSize, exact.Length);
        Assert.Equal(ClientHelloStatus.Complete, Read(new ReadOnlySequence<byte>(exact)).Status);
        foreach (int at in new[] { 1, 5, 9, 100, 8192, exact.Length - 1 })
        {
            Assert.Equal(ClientHelloStatus.Complete, Read(TestSequenceSegment.Split(exact, at)).Status);
        }

        // The same handshake message in two records takes five bytes more than the cap allows.
        AssertRejectedSampledSplits(builder.Build(8000), ClientHelloRejection.TooLarge);
        AssertRejectedSampledSplits(ClientHelloBuilder.Tls13("api.example.test").PaddedTo(MaxHandshakeInOneRecord + 1).Build(), ClientHelloRejection.TooLarge);
    }

    [Fact]
    public void Hello_DeclaringMoreThan16KiB_IsTooLarge_AsSoonAsItsHandshakeHeaderArrives()
    {
        // A first record of 16,000 bytes whose handshake header declares a 100,000-byte message.
        byte[] bytes = [0x16, 0x03, 0x01, 0x3e, 0x80, 0x01, 0x01, 0x86, 0xa0, .. ClientHelloBuilder.Tls13("api.example.test").Body()];

        Assert.Equal(ClientHelloStatus.Incomplete, Read(new ReadOnlySequence<byte>(bytes, 0, 8)).Status);
        Assert.Equal(ClientHelloRejection.TooLarge, Read(new ReadOnlySequence<byte>(bytes, 0, 9)).Rejection);
    }

    [Fact]
    public void Hello_InTinyRecords_IsTooLarge_OnceTheirHeadersPushItOverTheCap()
    {
        // 3,000 bytes of handshake in one-byte records would take 18,000 bytes on the wire.
        byte[] bytes = ClientHelloBuilder.Tls13("api.example.test").PaddedTo(3000).Build([.. Enumerable.Repeat(1, 3000)]);

        Assert.Equal(ClientHelloStatus.Incomplete, Read(new ReadOnlySequence<byte>(bytes, 0, 4000)).Status);
        Assert.Equal(ClientHelloRejection.TooLarge, Read(new ReadOnlySequence<byte>(bytes)).Rejection);
    }

    [Theory]
    [MemberData(nameof(MalformedHellos))]
    public void MalformedHello_IsRejected_WithTheReason(string name)
    {
        (byte[] bytes, ClientHelloRejection reason) = s_malformed[name];

        Outcome outcome = Read(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(ClientHelloStatus.Rejected, outcome.Status);
        Assert.Equal(reason, outcome.Rejection);
    }

    [Theory]
    [MemberData(nameof(MalformedHellos))]
    public void MalformedHello_IsRejected_WithTheSameReasonHoweverSplit(string name)
    {
        (byte[] bytes, ClientHelloRejection reason) = s_malformed[name];
        if (bytes.Length > 4096)
        {
            AssertRejectedSampledSplits(bytes, reason);
            return;
        }

        for (int at = 0; at <= bytes.Length; at++)
        {
            Assert.Equal(reason, Read(TestSequenceSegment.Split(bytes, at)).Rejection);
        }

        Assert.Equal(reason, Read(TestSequenceSegment.ByteBySegment(bytes)).Rejection);
    }

    [Theory]
    [MemberData(nameof(MalformedHellos))]
    public void MalformedHello_EveryPrefix_IsIncompleteOrTheSameRejection(string name)
    {
        (byte[] bytes, ClientHelloRejection reason) = s_malformed[name];
        for (int length = 0; length < bytes.Length; length++)
        {
            Outcome outcome = Read(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.True(
                outcome.Status == ClientHelloStatus.Incomplete || outcome.Rejection == reason,
                $"prefix of {length} bytes: {outcome}");
        }
    }

    [Fact]
    public void NotTls_IsRejected_FromTheFirstByte()
    {
        Assert.Equal(ClientHelloRejection.NotTls, Read(new ReadOnlySequence<byte>("G"u8.ToArray())).Rejection);
        Assert.Equal(ClientHelloRejection.SslV2, Read(new ReadOnlySequence<byte>([0x80])).Rejection);
        Assert.Equal(ClientHelloRejection.NotTls, Read(new ReadOnlySequence<byte>([0x16, 0x01])).Rejection);
        Assert.Equal(ClientHelloRejection.UnsupportedVersion, Read(new ReadOnlySequence<byte>([0x16, 0x03, 0x00])).Rejection);
        Assert.Equal(ClientHelloStatus.Incomplete, Read(new ReadOnlySequence<byte>([0x16, 0x03, 0x01])).Status);
        Assert.Equal(ClientHelloStatus.Incomplete, Read(default).Status);
    }

    [Theory]
    [InlineData(new byte[] { 0x16 }, true)]
    [InlineData(new byte[] { 0x16, 0x03 }, true)]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 }, true)]
    [InlineData(new byte[] { 0x16, 0x03, 0x03, 0x02, 0x00 }, true)]
    [InlineData(new byte[] { 0x16, 0x03, 0x00 }, true)]
    [InlineData(new byte[] { }, false)]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)' ' }, false)]
    [InlineData(new byte[] { (byte)'G' }, false)]
    [InlineData(new byte[] { (byte)'C', (byte)'O', (byte)'N' }, false)]
    [InlineData(new byte[] { (byte)'P', (byte)'R', (byte)'I' }, false)]
    [InlineData(new byte[] { 0x80, 0x2e, 0x01 }, false)]
    [InlineData(new byte[] { 0x17, 0x03, 0x03 }, false)]
    [InlineData(new byte[] { 0x16, 0x02 }, false)]
    [InlineData(new byte[] { 0x16, 0x03, 0x05 }, false)]
    [InlineData(new byte[] { 0x53, 0x53, 0x48, 0x2d }, false)]
    public void LooksLikeTls_TellsATlsRecordFromHttpAndOthers(byte[] firstBytes, bool expected) =>
        Assert.Equal(expected, ClientHelloReader.LooksLikeTls(firstBytes));

    [Fact]
    public void LooksLikeTls_OnRandomBytes_AgreesWithTheRecordHeader()
    {
        var random = new Random(6);
        byte[] bytes = new byte[3];
        for (int i = 0; i < 10_000; i++)
        {
            random.NextBytes(bytes);
            bool header = bytes[0] == 0x16 && bytes[1] == 0x03 && bytes[2] <= 4;
            Assert.Equal(header, ClientHelloReader.LooksLikeTls(bytes));
        }

        foreach (string name in s_valid.Keys)
        {
            Assert.True(ClientHelloReader.LooksLikeTls(s_valid[name].Bytes.AsSpan(0, 3)), name);
        }
    }

    [Fact]
    public void ReusedHello_KeepsNothingOfThePreviousRead()
    {
        var hello = default(ClientHello);
        byte[] chrome = ClientHelloBuilder.ChromeLike("www.example.test").Build();
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloReader.TryRead(new ReadOnlySequence<byte>(chrome), ref hello, out _));
        Assert.True(hello.HasAlpn);

        byte[] tls10 = s_valid["tls10"].Bytes;
        Assert.Equal(ClientHelloStatus.Complete, ClientHelloReader.TryRead(new ReadOnlySequence<byte>(tls10), ref hello, out _));
        Assert.Equal("old.example.test", Latin1(hello.ServerName));
        Assert.Equal(0x0301, hello.LegacyVersion);
        Assert.False(hello.HasAlpn);
        Assert.True(hello.FirstAlpnProtocol.IsEmpty);

        hello.Reset();
        Assert.True(hello.ServerName.IsEmpty);
        Assert.Equal(0, hello.LegacyVersion);
    }

    [Fact]
    public void ChromeLikeHello_IsAbout1Point8KB()
    {
        int length = ClientHelloBuilder.ChromeLike("www.example.test").Build().Length;
        Assert.InRange(length, 1700, 1950);
    }

    [Fact]
    public void TryRead_OnValidHellos_AllocatesNothing()
    {
        byte[] chrome = ClientHelloBuilder.ChromeLike("www.example.test").Build();
        ReadOnlySequence<byte>[] buffers =
        [
            new(chrome),
            TestSequenceSegment.Split(chrome, 1460),
            TestSequenceSegment.Create([chrome[..100], chrome[100..1460], chrome[1460..]]),
            TestSequenceSegment.ByteBySegment(chrome),
            new(ClientHelloBuilder.ChromeLike("www.example.test").Build(1000)),
            new(ClientHelloBuilder.Tls13("api.example.test").Build(3, 50)),
            new(s_valid["tls12"].Bytes),
        ];
        var hello = default(ClientHello);
        int complete = 0;
        foreach (ReadOnlySequence<byte> buffer in buffers)
        {
            complete += Drive(buffer, ref hello, 100);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (ReadOnlySequence<byte> buffer in buffers)
        {
            complete += Drive(buffer, ref hello, 10_000);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(buffers.Length * 10_100, complete);

        static int Drive(in ReadOnlySequence<byte> buffer, ref ClientHello hello, int times)
        {
            int complete = 0;
            for (int i = 0; i < times; i++)
            {
                if (ClientHelloReader.TryRead(buffer, ref hello, out _) == ClientHelloStatus.Complete)
                {
                    complete++;
                }
            }

            return complete;
        }
    }

    [OpenSslFact]
    public async Task RealOpenSslHello_IsComplete_WithItsServerNameAndAlpn_HoweverSplit()
    {
        byte[] bytes = await CaptureOpenSslHelloAsync("api.example.test", "h2,http/1.1");

        var expected = new Outcome(ClientHelloStatus.Complete, ClientHelloRejection.None, "api.example.test", "h2", 0x0303);
        Assert.Equal(expected, Read(new ReadOnlySequence<byte>(bytes)));
        for (int at = 0; at <= bytes.Length; at++)
        {
            Assert.Equal(expected, Read(TestSequenceSegment.Split(bytes, at)));
        }

        Assert.Equal(expected, Read(TestSequenceSegment.ByteBySegment(bytes)));
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(ClientHelloStatus.Incomplete, Read(new ReadOnlySequence<byte>(bytes, 0, length)).Status);
        }
    }

    // Runs `openssl s_client` against a listener that never answers and keeps what it sent
    // until the reader has decided.
    private static async Task<byte[]> CaptureOpenSslHelloAsync(string serverName, string alpn)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var start = new ProcessStartInfo(OpenSslFactAttribute.Path!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in (string[])["s_client", "-connect", $"127.0.0.1:{port}", "-servername", serverName, "-alpn", alpn])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using Socket socket = await listener.AcceptSocketAsync(timeout.Token);
            byte[] received = new byte[ClientHelloReader.MaxHelloSize];
            int length = 0;
            while (true)
            {
                int read = await socket.ReceiveAsync(received.AsMemory(length), SocketFlags.None, timeout.Token);
                Assert.True(read > 0, $"openssl closed after {length} bytes");
                length += read;
                if (Read(new ReadOnlySequence<byte>(received, 0, length)).Status != ClientHelloStatus.Incomplete)
                {
                    return received[..length];
                }
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
            _ = await stdout;
            _ = await stderr;
        }
    }

    private static void AssertRejectedSampledSplits(byte[] bytes, ClientHelloRejection reason)
    {
        Assert.Equal(reason, Read(new ReadOnlySequence<byte>(bytes)).Rejection);
        for (int at = 0; at <= bytes.Length; at += 977)
        {
            Assert.Equal(reason, Read(TestSequenceSegment.Split(bytes, at)).Rejection);
        }
    }

    private static Outcome Read(in ReadOnlySequence<byte> buffer)
    {
        var hello = default(ClientHello);
        ClientHelloStatus status = ClientHelloReader.TryRead(buffer, ref hello, out ClientHelloRejection rejection);
        bool complete = status == ClientHelloStatus.Complete;
        return new Outcome(
            status,
            rejection,
            complete ? Latin1(hello.ServerName) : null,
            complete && hello.HasAlpn ? Latin1(hello.FirstAlpnProtocol) : null,
            complete ? hello.LegacyVersion : (ushort)0);
    }

    private readonly record struct Outcome(
        ClientHelloStatus Status, ClientHelloRejection Rejection, string? ServerName, string? Alpn, ushort LegacyVersion);
}
