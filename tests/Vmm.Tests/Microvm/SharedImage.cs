namespace Vmm.Tests.Microvm;

/// <summary>
/// One image directory for every test run on this host, so the kernel package is downloaded and
/// the initramfs packed once, not per temporary state directory. vmm processes the tests start
/// inherit it through <c>VMM_MICROVM_IMAGE_DIR</c>.
/// </summary>
internal static class SharedImage
{
    public static string Directory { get; } = Path.Combine("/var/tmp", "egress-gateway-vmm-tests", "microvm");

    public static void Use() => Environment.SetEnvironmentVariable(Vmm.Microvm.MicrovmImage.DirectoryVariable, Directory);
}
