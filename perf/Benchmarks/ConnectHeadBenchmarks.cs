using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Protocols;

namespace Benchmarks;

/// <summary>
/// <c>ConnectRequestReader.TryRead</c> over a whole CONNECT head (budget: 0 B and ≤ 200 ns per
/// head). Each invocation reads the head <see cref="Ops"/> times. The baseline only finds the
/// head's end (CRLFCRLF) in one span: the least any reader must do, so the ratio is the price
/// of validating and copying out.
/// </summary>
public class ConnectHeadBenchmarks
{
    private const int Ops = 16;

    // What curl 7.88 sends through an HTTPS proxy.
    private const string CurlHead =
        "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n";

    private const string AuthorizedHead =
        "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\nProxy-Authorization: Basic ZGV2OmdhdGV3YXktc2FuZGJveC10b2tlbi0wMTIzNDU2Nzg5\r\nUser-Agent: curl/7.88.1\r\nProxy-Connection: Keep-Alive\r\n\r\n";

    private byte[] _curl = [];
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _twoSegments;
    private ReadOnlySequence<byte> _sixteenByteSegments;
    private ReadOnlySequence<byte> _authorized;
    private ReadOnlySequence<byte> _get;
    private ConnectHead _head;

    [GlobalSetup]
    public void Setup()
    {
        _curl = Encoding.ASCII.GetBytes(CurlHead);
        _single = new ReadOnlySequence<byte>(_curl);

        // Cut inside the Host header, as when a head straddles two of Kestrel's pipe segments.
        _twoSegments = BenchmarkSegment.Create(_curl, CurlHead.IndexOf("Host:", StringComparison.Ordinal) + 10);
        _sixteenByteSegments = BenchmarkSegment.Chunked(_curl, 16);
        _authorized = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(AuthorizedHead));
        _get = new ReadOnlySequence<byte>("GET http://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n"u8.ToArray());

        foreach (ReadOnlySequence<byte> buffer in new[] { _single, _twoSegments, _sixteenByteSegments, _authorized })
        {
            if (ConnectRequestReader.TryRead(buffer, ref _head, out _, out ConnectRejection rejection) != ConnectParseStatus.Complete)
            {
                throw new InvalidOperationException($"benchmark head not read as complete: {rejection}");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops, Description = "find CRLFCRLF only (single span)")]
    public int Baseline_FindEndOfHead()
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            total += _curl.AsSpan().IndexOf("\r\n\r\n"u8);
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Curl_SingleSegment() => Run(_single);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Curl_TwoSegments() => Run(_twoSegments);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Curl_SixteenByteSegments() => Run(_sixteenByteSegments);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int ProxyAuthorization_SingleSegment() => Run(_authorized);

    [Benchmark(OperationsPerInvoke = Ops, Description = "NotConnect: GET absolute-form")]
    public int NotConnect_Get() => Run(_get);

    private int Run(in ReadOnlySequence<byte> buffer)
    {
        int total = 0;
        for (int i = 0; i < Ops; i++)
        {
            total += (int)ConnectRequestReader.TryRead(buffer, ref _head, out _, out _) + _head.Port;
        }

        return total;
    }
}
