"""Certificates: the issuer rule (section 二(二)), the certificate register and the review check 证书核验."""
