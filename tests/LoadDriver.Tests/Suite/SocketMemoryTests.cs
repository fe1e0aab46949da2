using LoadDriver.Suite;

namespace LoadDriver.Tests.Suite;

public class SocketMemoryTests
{
    private const string Output = """
        0      0      127.0.0.1:42532 127.0.0.1:42045 users:(("gateway",pid=10,fd=4))
        	 skmem:(r0,rb131072,t0,tb4194304,f4096,w0,o0,bl0,d0)
        0      0      127.0.0.1:42045 127.0.0.1:42532 users:(("other",pid=11,fd=5))
        	 skmem:(r100,rb131072,t0,tb4194304,f0,w0,o0,bl0,d0)
        0      0      127.0.0.1:42533 127.0.0.1:8080 users:(("nginx",pid=12,fd=7),("nginx",pid=10,fd=7))
        	 skmem:(r10,rb131072,t5,tb4194304,f20,w30,o40,bl50,d0)
        """;

    [Fact]
    public void Parse_CountsOnlyTheTreesSockets_AndTheirAllocatedMemory()
    {
        (int sockets, long bytes) = SocketMemory.Parse(Output, new HashSet<int> { 10 }, slabObject: 1000);
        Assert.Equal(2, sockets);

        // f4096 + (r10 f20 w30 o40 bl50); buffer limits (rb, tb) and t (counted in w) are not memory held.
        Assert.Equal(4096 + 150 + 2000, bytes);
    }

    [Fact]
    public void Parse_OfNoMatchingProcess_IsZero()
    {
        Assert.Equal((0, 0L), SocketMemory.Parse(Output, new HashSet<int> { 99 }, slabObject: 1000));
    }
}
