using Gateway.Interception.Tls;

namespace Gateway.Tests.Interception.Tls;

public sealed class Http2FrameBudgetTests
{
    private static readonly byte[] s_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    [Fact]
    public void ControlFrames_PastTheBudget_AreRefused_AtTheFirstFrameOver()
    {
        var budget = new Http2FrameBudget(10);
        Assert.True(budget.Observe(s_preface));
        for (int i = 0; i < 10; i++)
        {
            Assert.True(budget.Observe(Frame(0x4, 0, 0, 0)));
        }

        Assert.False(budget.Observe(Frame(0x6, 0, 0, 8)));
        Assert.Equal(11, budget.Frames);
    }

    [Fact]
    public void HeadersAndDataWithPayload_AreNotControlFrames_AndEachHeadersFrameAllowsOneMore()
    {
        var budget = new Http2FrameBudget(10);
        Assert.True(budget.Observe(s_preface));
        for (int i = 0; i < 50; i++)
        {
            Assert.True(budget.Observe(Frame(0x1, 0x4, 1 + (2 * i), 20)));
            Assert.True(budget.Observe(Frame(0x0, 0, 1 + (2 * i), 100)));
            Assert.True(budget.Observe(Frame(0x2, 0, 1 + (2 * i), 5))); // PRIORITY per request
        }

        Assert.Equal(50, budget.Counted);
    }

    [Fact]
    public void BytesSentToTheClient_AllowWindowUpdates_OnePerKiB()
    {
        var budget = new Http2FrameBudget(10);
        Assert.True(budget.Observe(s_preface));
        budget.AddSent(100 * 1024);
        for (int i = 0; i < 110; i++)
        {
            Assert.True(budget.Observe(Frame(0x8, 0, 0, 4)));
        }

        Assert.False(budget.Observe(Frame(0x8, 0, 0, 4)));
    }

    [Fact]
    public void FrameHeaders_SplitAtEveryByte_AreCountedTheSame()
    {
        byte[] stream = [.. s_preface, .. Frame(0x4, 0, 0, 6), .. Frame(0x1, 0x4, 1, 30), .. Frame(0x0, 0, 1, 0), .. Frame(0x6, 0, 0, 8), .. Frame(0x0, 0x1, 1, 0)];
        for (int split = 0; split <= stream.Length; split++)
        {
            var budget = new Http2FrameBudget(100);
            Assert.True(budget.Observe(stream.AsSpan(0, split)));
            Assert.True(budget.Observe(stream.AsSpan(split)));
            Assert.Equal(5, budget.Frames);
            Assert.Equal(3, budget.Counted); // SETTINGS, empty DATA without END_STREAM, PING
        }

        var byteByByte = new Http2FrameBudget(100);
        foreach (byte b in stream)
        {
            Assert.True(byteByByte.Observe([b]));
        }

        Assert.Equal(5, byteByByte.Frames);
    }

    private static byte[] Frame(byte type, byte flags, int stream, int length)
    {
        byte[] frame = new byte[9 + length];
        frame[0] = (byte)(length >> 16);
        frame[1] = (byte)(length >> 8);
        frame[2] = (byte)length;
        frame[3] = type;
        frame[4] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        return frame;
    }
}
