"""The offline data: a FashionMNIST-shaped dataset made or shipped here, so nothing downloads."""
