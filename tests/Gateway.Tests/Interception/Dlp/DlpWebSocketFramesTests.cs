using System.Buffers.Binary;
using System.Text;
using Gateway.Interception.Dlp;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>RFC 6455 frames from the client, masked, split anywhere: text messages are scanned, binary ones not.</summary>
public sealed class DlpWebSocketFramesTests
{
    private static readonly DlpContext s_context = new(null, "dev");

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void ATokenSplitAcrossTwoMaskedTextFrames_IsFound_WhateverTheReadSize(int readSize)
    {
        string token = DlpCases.GithubClassic;
        byte[] wire = [.. Frame(0x1, false, "my token is " + token[..10]), .. Frame(0x9, true, "ping"), .. Frame(0x0, true, token[10..] + " ok")];
        using var frames = new DlpWebSocketFrames(DlpNeedles.ShapesOnly, s_context);

        DlpPattern found = DlpPattern.None;
        for (int at = 0; at < wire.Length && found == DlpPattern.None; at += readSize)
        {
            found = frames.Feed(wire.AsSpan(at, Math.Min(readSize, wire.Length - at)));
        }

        Assert.Equal(DlpPattern.GithubToken, found);
    }

    [Fact]
    public void BinaryMessages_AreNotScanned()
    {
        using var frames = new DlpWebSocketFrames(DlpNeedles.ShapesOnly, s_context);

        Assert.Equal(DlpPattern.None, frames.Feed(Frame(0x2, true, "token " + DlpCases.GithubClassic + " end")));
        Assert.Equal(DlpPattern.None, frames.Complete());
    }

    [Fact]
    public void ALongTextFrame_WithA16BitLength_IsScannedToItsEnd()
    {
        using var frames = new DlpWebSocketFrames(DlpNeedles.ShapesOnly, s_context);

        Assert.Equal(DlpPattern.AwsAccessKeyId, frames.Feed(Frame(0x1, true, new string('x', 40_000) + " " + DlpCases.Aws + " ")));
    }

    private static byte[] Frame(int opcode, bool fin, string text)
    {
        byte[] payload = Encoding.ASCII.GetBytes(text);
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add(0x80 | 126);
            byte[] length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)payload.Length);
            frame.AddRange(length);
        }
        else
        {
            frame.Add(0x80 | 127);
            byte[] length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }

        byte[] mask = [0x37, 0xfa, 0x21, 0x3d];
        frame.AddRange(mask);
        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add((byte)(payload[i] ^ mask[i % 4]));
        }

        return [.. frame];
    }
}
