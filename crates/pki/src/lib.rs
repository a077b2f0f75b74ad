//! Certificate verification core: CMS/PKCS#7 signatures over issued challenges, chains to trust
//! anchors, revocation (OCSP, CRL), Taiwan certificate profiles and the test-PKI builder.
