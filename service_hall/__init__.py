"""The service hall's other two buttons: 在线咨询 (questions answered by staff) and 查看评价 (好差评 ratings)."""
