/**
 * Huawei Cloud's published SMN message-signing certificate, pinned.
 *
 * CN=Huawei-Cloud-SMN-Meter, issuer CN=Huawei Cloud CA, RSA 2048, sha256WithRSA,
 * valid 2020-09-09 to 2030-09-07, SHA-256 fingerprint
 * 85:FF:15:CD:8A:21:7C:2B:DF:36:7C:F0:17:39:4D:B0:ED:FE:B0:31:8B:5F:5C:7C:6B:BE:25:73:CA:D1:38:17
 * (source: the SMN user guide, page smn_ug_a9000). Real Cloud Eye messages from
 * cn-north-4 and cn-south-1 verify with it although their signing_cert_url names
 * per-region files.
 *
 * A string constant rather than a file so that it is inside the bundle: no
 * file needs to travel beside index.js, and nobody can swap it on disk.
 */
export const HUAWEI_SMN_CERT_FINGERPRINT256 =
  '85:FF:15:CD:8A:21:7C:2B:DF:36:7C:F0:17:39:4D:B0:ED:FE:B0:31:8B:5F:5C:7C:6B:BE:25:73:CA:D1:38:17';

export const HUAWEI_SMN_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDWTCCAkGgAwIBAgIIdv23u/vU1zcwDQYJKoZIhvcNAQELBQAwODELMAkGA1UE
BhMCQ04xDzANBgNVBAoTBkh1YXdlaTEYMBYGA1UEAxMPSHVhd2VpIENsb3VkIENB
MB4XDTIwMDkwOTA2NDAwNFoXDTMwMDkwNzA2NDAwNFowPzELMAkGA1UEBhMCQ04x
DzANBgNVBAoTBkh1YXdlaTEfMB0GA1UEAxMWSHVhd2VpLUNsb3VkLVNNTi1NZXRl
cjCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAOunOsnncSp53UP4xetr
A4tHiRj6kldrmyx5gYB/zbGblfwHDvh7Pw9633iq0y1ZwfE0yVu7mNAwdAAo1u7X
lvO+ZLJkBsOjg2BU/BD7VfsVV7YJ51u467G0D7U8Qz8gIqsTbU1iT3koyNuUPmKe
9J0bhKdR8wy6xuROWh/5Ec0y2n28FqIDXP91udkYgrXhasmejLwx4saRFaVl6nPE
MOOWyrFDtU5bKWj8wZUwhRAuIeUVxu4TRxLu+zyuXk1Y4mG1RCDpIf5XsgDeitMr
TsrdjuxEsgRTDCVl6WVEojzBv/AccLoBrbHFa+Pppp8/RDvDhuQrxizp+K4zSunQ
iukCAwEAAaNgMF4wHwYDVR0jBBgwFoAU9JLn3OgwPepGkfxQ4xg4L8UVUSswDAYD
VR0TBAUwAwEBADAOBgNVHQ8BAf8EBAMCA6gwHQYDVR0lBBYwFAYIKwYBBQUHAwEG
CCsGAQUFBwMCMA0GCSqGSIb3DQEBCwUAA4IBAQALQt+Fy2yOs/Z7PL0xq2g8lWx0
7zNaUcYYdFcZeiwfuLSTOeFJiPFKyAsN7Bl7wIjFT8ZsHDhBJE5bkYnjdYxO1jnq
xCeNDErlP0nD7j+p5YZMtMWv/vPod3EBQ4z5ThNvAljeSx9iQKL0HL7lxOJ4ssId
zsFlSZCdkRbNQb4Vb8r72J0Yu8hiSUTvvIMERTBzYtTFUTTmJz4oX5HvBj4KEycF
RWjrNp6g82RRcSEPQl8XeoqOAiCSr1ddsTLQDqWgKWA68Tc64LPMxG3BC2cl0GrK
Ilqom+ZuaR05jslMr7jSCQwUcLIk0Loxv2YYrE9Yqju/v2s8LKXwiLVsxxTU
-----END CERTIFICATE-----
`;
